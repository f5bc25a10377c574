import { existsSync } from "node:fs";
import { join } from "node:path";
import { read, root } from "./env.ts";

// docker-compose.yml, as Bun's YAML parser reads it (anchors and merge keys resolved).

export type EnvValue = string | number | boolean | null;
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, EnvValue> | string[];
  env_file?: string | (string | { path: string })[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  ports?: (string | number | { published?: string | number; target?: number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  stop_grace_period?: string;
  volumes?: (string | { source?: string; target?: string })[];
}
export interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] }; internal?: boolean } | null>;
}

export const compose = Bun.YAML.parse(read("docker-compose.yml")) as Compose;
export const services = Object.entries(compose.services ?? {});
export const argv = (s: ComposeService) =>
  typeof s.command === "string" ? s.command.split(/\s+/) : (s.command ?? []);
export const ours = (s: ComposeService) => {
  const ctx = typeof s.build === "string" ? s.build : s.build?.context;
  return ctx === "." || ctx === "./";
};
export const gateways = services.filter(([, s]) => ours(s) && (argv(s)[0] ?? "serve") === "serve");
export const reference = (kind: string) =>
  services.find(([, s]) => ours(s) && argv(s)[0] === "reference" && argv(s)[1] === kind);
export const envOf = (s: ComposeService): Map<string, string> => {
  const env = new Map<string, string>();
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const at = entry.indexOf("=");
      env.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? "" : entry.slice(at + 1));
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) env.set(k, v === null ? "" : String(v));
  }
  return env;
};
export const envFiles = (s: ComposeService) =>
  (typeof s.env_file === "string" ? [s.env_file] : (s.env_file ?? [])).map((f) =>
    typeof f === "string" ? f : f.path,
  );
/** An env file as given, or its committed `.example` when the real one is local (git-ignored). */
export function readEnvFile(path: string): Map<string, string> {
  const file = existsSync(join(root, path)) ? path : `${path}.example`;
  const env = new Map<string, string>();
  for (const line of read(file).split("\n")) {
    const m = /^\s*([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (m) env.set(m[1] as string, m[2] as string);
  }
  return env;
}
export const networksOf = (s: ComposeService) =>
  Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? { default: null });
export const composeGatewayEnv = gateways[0] ? envOf(gateways[0][1]) : new Map<string, string>();
export const lb = services.find(([, s]) =>
  /^(haproxy|nginx|traefik|envoyproxy\/envoy|caddy)[:@]/.test(s.image ?? ""),
);
/** The load balancer's config file, as its volume mounts it. */
export const lbConfig = (lb?.[1].volumes ?? [])
  .map((v) => (typeof v === "string" ? v.split(":")[0] : v.source))
  .find((source) => source !== undefined && /\.(cfg|conf)$/.test(source));
