import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export interface StoredCredentials {
  access_token: string;
  expires_at: string;
  email: string;
}

export function configDir(env: Record<string, string | undefined>): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "gateway");
}

export function credentialsPath(env: Record<string, string | undefined>): string {
  return join(configDir(env), "credentials.json");
}

/** Written 0600 in a 0700 directory: the token is a password for its lifetime. */
export function writePrivate(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, contents, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function saveCredentials(
  env: Record<string, string | undefined>,
  credentials: StoredCredentials,
): string {
  const path = credentialsPath(env);
  writePrivate(path, `${JSON.stringify(credentials, null, 2)}\n`);
  return path;
}

/** Undefined when nothing (or nothing readable) is stored. */
export function loadCredentials(env: Record<string, string | undefined>): StoredCredentials | undefined {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPath(env), "utf8")) as Partial<StoredCredentials>;
    if (typeof parsed.access_token === "string" && typeof parsed.expires_at === "string") {
      return { access_token: parsed.access_token, expires_at: parsed.expires_at, email: parsed.email ?? "" };
    }
  } catch {
    // Missing or corrupt: treated as logged out.
  }
  return undefined;
}
