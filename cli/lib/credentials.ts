import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/** A token from an in-process login (no gateway URL): the file's top-level fields, as before gateways. */
export interface StoredCredentials {
  access_token: string;
  expires_at: string;
  email: string;
}

/** A session with a running gateway: the access token, and the refresh token that renews it. */
export interface GatewaySession extends StoredCredentials {
  refresh_token: string;
  refresh_expires_at: string;
}

/**
 * The whole file. The in-process token stays at the top level, where older versions put it (and still
 * read it); gateway sessions are keyed by the gateway's URL, and `url` is the one logged in to last.
 */
interface CredentialsFile extends Partial<StoredCredentials> {
  url?: string;
  gateways?: Record<string, GatewaySession>;
}

export function configDir(env: Record<string, string | undefined>): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config"), "gateway");
}

export function credentialsPath(env: Record<string, string | undefined>): string {
  return join(configDir(env), "credentials.json");
}

/**
 * Written 0600 in a 0700 directory: the token is a password for its lifetime. Written beside and
 * renamed into place, so a command stopped half-way (or a second one reading) never sees half a file,
 * which would read as logged out and lose a refresh token that cannot be had again.
 */
export function writePrivate(path: string, contents: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

const isString = (value: unknown): value is string => typeof value === "string";

function readFile(env: Record<string, string | undefined>): CredentialsFile {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPath(env), "utf8")) as unknown;
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as CredentialsFile;
  } catch {
    // Missing or corrupt: treated as logged out.
  }
  return {};
}

function writeFile(env: Record<string, string | undefined>, file: CredentialsFile): string {
  const path = credentialsPath(env);
  writePrivate(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

export function saveCredentials(
  env: Record<string, string | undefined>,
  credentials: StoredCredentials,
): string {
  return writeFile(env, { ...readFile(env), ...credentials });
}

/** Undefined when nothing (or nothing readable) is stored. */
export function loadCredentials(env: Record<string, string | undefined>): StoredCredentials | undefined {
  const file = readFile(env);
  if (isString(file.access_token) && isString(file.expires_at)) {
    return { access_token: file.access_token, expires_at: file.expires_at, email: file.email ?? "" };
  }
  return undefined;
}

/** Forgets the in-process token; gateway sessions stay. */
export function deleteCredentials(env: Record<string, string | undefined>): boolean {
  const { access_token, expires_at, email, ...rest } = readFile(env);
  if (access_token === undefined) return false;
  writeFile(env, rest);
  return true;
}

/** The gateway logged in to last, if any. */
export function savedGatewayUrl(env: Record<string, string | undefined>): string | undefined {
  const { url } = readFile(env);
  return isString(url) ? url : undefined;
}

export function loadGatewaySession(
  env: Record<string, string | undefined>,
  url: string,
): GatewaySession | undefined {
  const session = readFile(env).gateways?.[url];
  if (!session || typeof session !== "object") return undefined;
  const { access_token, expires_at, refresh_token, refresh_expires_at, email } = session;
  if (![access_token, expires_at, refresh_token, refresh_expires_at].every(isString)) return undefined;
  return { access_token, expires_at, refresh_token, refresh_expires_at, email: isString(email) ? email : "" };
}

/** Saves (or replaces) the session with `url`, which becomes the default gateway for later commands. */
export function saveGatewaySession(
  env: Record<string, string | undefined>,
  url: string,
  session: GatewaySession,
): string {
  const file = readFile(env);
  return writeFile(env, { ...file, url, gateways: { ...file.gateways, [url]: session } });
}

/** Deletes the session with `url`; the default URL stays, so the next `gateway login` goes there again. */
export function deleteGatewaySession(env: Record<string, string | undefined>, url: string): boolean {
  const file = readFile(env);
  if (!file.gateways?.[url]) return false;
  const { [url]: _removed, ...others } = file.gateways;
  writeFile(env, { ...file, gateways: others });
  return true;
}
