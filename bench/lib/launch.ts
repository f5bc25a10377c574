/**
 * Starting what the bench measures: the backends (on the load core) and each target (on its own core),
 * with the one token and config every gateway target shares.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { TokenService } from "../../src/core/security/tokens.ts";
import { nginxMissing, startNginx } from "../peers/nginx.ts";
import { BENCH_USER } from "./bench-user.ts";
import type { TargetKind, TargetSpec } from "./scenarios.ts";
import { pinned, startJsonProcess, stopProcess } from "./targets.ts";

export const ROOT = join(import.meta.dir, "..", "..");
// BENCH_OUT: elsewhere (the runner's own test writes to a temp dir, not over a real run's results).
export const OUT = process.env.BENCH_OUT ?? join(ROOT, "test-output", "bench");
const BUN = process.execPath;
const SECRET = "bench-secret-bench-secret-bench-secret!";
export const BINARY = join(ROOT, "dist", "gateway");
const cores = cpus().length;
export const TARGET_CORE = cores >= 2 ? 0 : undefined;
export const LOAD_CORE = cores >= 2 ? 1 : undefined;
export const CORES = cores;

const configPath = join(OUT, "gateway.json");
mkdirSync(OUT, { recursive: true });
// No limits in the way: the benchmark measures the path, not the plan.
writeFileSync(configPath, JSON.stringify({ plans: { premium: { requestsPerMinute: 100_000_000 } } }));

export const TOKEN = (
  await new TokenService({ secret: SECRET, issuer: "gateway", audience: "gateway", ttlSeconds: 3600 }).issue(
    BENCH_USER.id,
  )
).token;

/** The binary with `npm run build`'s flags (no sourcemap: it is not read here). */
export function buildBinary(): void {
  const build = Bun.spawnSync(
    [BUN, "build", "--compile", "--minify", "--bytecode", "cli/main.ts", "--outfile", BINARY],
    { cwd: ROOT },
  );
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr}`);
}

export type Backends = { users: string; aggregator: string };

export async function startBackends(latencyMs: number) {
  const { child, info } = await startJsonProcess(
    pinned(LOAD_CORE, [BUN, join(import.meta.dir, "backends.ts"), "--latency-ms", String(latencyMs)]),
  );
  return { child, urls: info as unknown as Backends, stop: () => stopProcess(child) };
}

/** A peer the machine cannot run is skipped with its reason, not failed: the rest still compare. */
export function missingReason(kind: TargetKind): string | undefined {
  if (kind === "fastify") return Bun.which("node") ? undefined : "node is not on PATH";
  if (kind === "nginx") return nginxMissing();
  return undefined;
}

export interface Running {
  child: { pid: number };
  url: string;
  stop(): Promise<void>;
}

export async function startTarget(target: TargetSpec, backends: Backends): Promise<Running> {
  if (target.kind === "nginx") return startNginx(backends.aggregator, (argv) => pinned(TARGET_CORE, argv));
  const child = await startOwn(target, backends);
  return { child: child.child, url: child.url, stop: () => stopProcess(child.child) };
}

async function startOwn(target: TargetSpec, backends: Backends): Promise<{ child: Subprocess; url: string }> {
  const json = async (argv: string[]) => {
    const { child, info } = await startJsonProcess(pinned(TARGET_CORE, argv), /^\{/, target.env ?? {});
    return { child, url: info.url as string };
  };
  switch (target.kind) {
    case "fastify":
      return json([
        "node",
        join(import.meta.dir, "..", "peers", "fastify.mjs"),
        backends.users,
        backends.aggregator,
        SECRET,
      ]);
    case "passthrough":
      return json([BUN, join(import.meta.dir, "passthrough.ts"), backends.aggregator]);
    case "floor":
    case "floor-elysia":
    case "floor-required":
    case "floor-product":
      return json([
        BUN,
        join(import.meta.dir, `${target.kind}.ts`),
        backends.aggregator,
        TOKEN,
        ...(target.cacheEntries === undefined ? [] : [String(target.cacheEntries)]),
      ]);
    default: {
      const command = target.kind === "gateway" ? [BUN, join(ROOT, "cli", "main.ts")] : [BINARY];
      const { child, info } = await startGateway(
        pinned(TARGET_CORE, [...command, ...serveArgs(backends), "--config", configPath]),
        target.env ?? {},
      );
      return { child, url: info.url as string };
    }
  }
}

/** `serve` on a free loopback port against the given backends. */
export function serveArgs(backends: Backends): string[] {
  const { users, aggregator } = backends;
  // The bench token lives an hour; the gateway refuses a lifetime above its own TTL.
  return [
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--users-url",
    users,
    "--aggregator-url",
    aggregator,
    "--jwt-ttl",
    "3600",
  ];
}

/**
 * A gateway as operators run it: the access log on at info (said explicitly, so a changed default
 * cannot quietly turn the measured runs' logging off), written to a pipe the runner drains.
 */
export const startGateway = (argv: string[], env: Record<string, string> = {}) =>
  startJsonProcess(argv, /gateway listening/, {
    GATEWAY_JWT_SECRET: SECRET,
    GATEWAY_LOG_LEVEL: "info",
    ...env,
  });
