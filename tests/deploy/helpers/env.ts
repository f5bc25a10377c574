import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configFileSetting, type Setting, settings } from "../../../src/core/config/settings.ts";

/** What the deployment files are checked against: the repository, and the settings the gateway reads. */
export const root = join(import.meta.dir, "..", "..", "..");
export const read = (path: string) => readFileSync(join(root, path), "utf8");
export const CI = process.env.CI === "true";

// The settings the gateway reads
export const settingList = Object.values(settings) as Setting<unknown>[];
export const settingByEnv = new Map<string, Setting<unknown>>(settingList.map((s) => [s.env, s]));
/** OTEL_* variables read by the tracer (src/core/tracing/from-env.ts), taken from its source. */
export const otelEnv = new Set(
  [...read("src/core/tracing/from-env.ts").matchAll(/env\.(OTEL_[A-Z_]+)/g)].map((m) => m[1] as string),
);
export const knownEnv = new Set([...settingByEnv.keys(), configFileSetting.env, ...otelEnv]);

/** Problems with one environment variable: a name the gateway does not read, or a value it would refuse. */
export function envProblems(
  where: string,
  name: string,
  value: string | undefined,
  checkValue = true,
): string[] {
  if (!knownEnv.has(name)) {
    return name.startsWith("GATEWAY_") || name.startsWith("OTEL_")
      ? [`${where}: ${name} is not a setting the gateway reads`]
      : [];
  }
  const setting = settingByEnv.get(name);
  if (!checkValue || !setting || value === undefined || value.includes("${")) return [];
  try {
    setting.parse(value);
    return [];
  } catch (error) {
    return [`${where}: ${name}=${JSON.stringify(value)} is refused: expected ${(error as Error).message}`];
  }
}

export function refuses(setting: Setting<unknown>, value: string): boolean {
  try {
    setting.parse(value);
    return false;
  } catch {
    return true;
  }
}

export const flag = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
export const durationMs = (text: string | undefined) => {
  let ms = 0;
  for (const m of (text ?? "").matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  }
  return ms;
};
