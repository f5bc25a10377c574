import { readFileSync } from "node:fs";

/** Reads the config file named by GATEWAY_CONFIG/--config: TOML by extension, JSON otherwise. */
export function readConfigFile(path: string): Record<string, unknown> {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new Error(`config file ${path}: cannot be read (${code})`);
  }
  const toml = /\.toml$/i.test(path);
  let parsed: unknown;
  try {
    parsed = toml ? Bun.TOML.parse(source) : JSON.parse(source);
  } catch (error) {
    throw new Error(`config file ${path}: not valid ${toml ? "TOML" : "JSON"} (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`config file ${path}: must hold an object of settings`);
  }
  return parsed as Record<string, unknown>;
}
