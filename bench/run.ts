/**
 * The gateway against a bare Bun.serve passthrough to the same fast backends, under wrk, each target
 * pinned to its own core (load generator and backends on the other). Scenarios: the miss path (a new
 * query per request), the hit path (one query, cached), and p99 at 256 connections with a 20 ms
 * backend. Targets alternate over rounds and medians are reported, with the ratios the performance
 * issue sets, the compiled binary's start-up time and (with --soak) memory over 60 s.
 *
 *   npm run bench                       # or: bun bench/run.ts [--rounds 3] [--seconds 5] [--warmup 3] [--soak] [--soak-warmup 40] [--no-binary]
 *   bun bench/run.ts --scenarios hit --targets passthrough,gateway --no-binary   # one comparison
 * Results: printed, and written to test-output/bench/results.json. A run with any non-2xx is a failed run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { TokenService } from "../src/core/security/tokens.ts";
import { BENCH_USER } from "./lib/bench-user.ts";
import { cpuSeconds, rssBytes } from "./lib/proc.ts";
import { pinned, startJsonProcess, stopProcess } from "./lib/targets.ts";
import { type LoadMode, type LoadResult, wrk } from "./lib/wrk.ts";
import { writeZipfRuns } from "./lib/zipf.ts";
import { nginxMissing, startNginx } from "./peers/nginx.ts";

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const option = (name: string, fallback: number) => Number(value(name) ?? fallback);
/** A comma-separated subset (`--scenarios hit,miss`, `--targets floor,gateway`), for quick comparisons. */
const only = (name: string) => value(name)?.split(",");
const ROUNDS = option("--rounds", 3);
const SECONDS = option("--seconds", 5);
// JIT tiers settle within seconds and take a share of the first ones (more for the larger program), so
// each target is warmed before it is measured; the soak's heap settles more slowly (docs/performance.md).
const WARMUP = option("--warmup", 3);
const SOAK_WARMUP = option("--soak-warmup", 40);
const root = join(import.meta.dir, "..");
const cores = cpus().length;
const TARGET_CORE = cores >= 2 ? 0 : undefined;
const LOAD_CORE = cores >= 2 ? 1 : undefined;
const SECRET = "bench-secret-bench-secret-bench-secret!";
const BUN = process.execPath;
const binary = join(root, "dist", "gateway");

if (!Bun.which("wrk")) {
  console.error("bench: wrk is needed (apt-get install wrk)");
  process.exit(2);
}
if (!flag("--no-binary") && (only("--targets")?.includes("gateway-binary") ?? true)) {
  const build = Bun.spawnSync(
    [BUN, "build", "--compile", "--minify", "--bytecode", "cli/main.ts", "--outfile", binary],
    {
      cwd: root,
    },
  );
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr}`);
}

const configPath = join(root, "test-output", "bench", "gateway.json");
mkdirSync(join(root, "test-output", "bench"), { recursive: true });
// No limits in the way: the benchmark measures the path, not the plan.
writeFileSync(configPath, JSON.stringify({ plans: { premium: { requestsPerMinute: 100_000_000 } } }));
const token = (
  await new TokenService({ secret: SECRET, issuer: "gateway", audience: "gateway", ttlSeconds: 3600 }).issue(
    BENCH_USER.id,
  )
).token;

type Backends = { users: string; aggregator: string };
async function startBackends(latencyMs: number) {
  const { child, info } = await startJsonProcess(
    pinned(LOAD_CORE, [BUN, join(import.meta.dir, "lib", "backends.ts"), "--latency-ms", String(latencyMs)]),
  );
  return { child, urls: info as unknown as Backends };
}

type TargetName = "passthrough" | "floor" | "gateway" | "gateway-binary" | "fastify" | "nginx";
type Running = { child: { pid: number }; url: string; stop(): Promise<void> };
async function startTarget(name: TargetName, backends: Backends): Promise<Running> {
  if (name === "nginx") return startNginx(backends.aggregator, (argv) => pinned(TARGET_CORE, argv));
  const { child, url } = await startOwnTarget(name, backends);
  return { child, url, stop: () => stopProcess(child as never) };
}

async function startOwnTarget(name: TargetName, backends: Backends) {
  if (name === "fastify") {
    const peer = join(import.meta.dir, "peers", "fastify.mjs");
    const { child, info } = await startJsonProcess(
      pinned(TARGET_CORE, ["node", peer, backends.users, backends.aggregator, SECRET]),
    );
    return { child, url: info.url as string };
  }
  if (name === "passthrough") {
    const { child, info } = await startJsonProcess(
      pinned(TARGET_CORE, [BUN, join(import.meta.dir, "lib", "passthrough.ts"), backends.aggregator]),
    );
    return { child, url: info.url as string };
  }
  if (name === "floor") {
    const { child, info } = await startJsonProcess(
      pinned(TARGET_CORE, [BUN, join(import.meta.dir, "lib", "floor.ts"), backends.aggregator, token]),
    );
    return { child, url: info.url as string };
  }
  const command = name === "gateway" ? [BUN, join(root, "cli", "main.ts")] : [binary];
  const { child, info } = await startGateway(
    pinned(TARGET_CORE, [...command, ...serveArgs(backends), "--config", configPath]),
  );
  return { child, url: info.url as string };
}

/** `serve` on a free loopback port against the given backends. */
function serveArgs(backends: Backends): string[] {
  const { users, aggregator } = backends;
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
    // The bench token lives an hour; the gateway refuses a lifetime above its own TTL.
    "--jwt-ttl",
    "3600",
  ];
}

const startGateway = (argv: string[]) =>
  startJsonProcess(argv, /gateway listening/, { GATEWAY_JWT_SECRET: SECRET });

interface Measured extends LoadResult {
  rps: number;
  cpu_us_per_request: number;
  peak_rss_mb: number;
}

async function measure(
  target: { child: { pid: number }; url: string },
  connections: number,
  mode: LoadMode,
  queries: string | undefined,
): Promise<Measured> {
  const pid = target.child.pid;
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 100);
  const cpuBefore = cpuSeconds(pid);
  const load = await wrk({
    url: target.url,
    connections,
    seconds: SECONDS,
    token,
    mode,
    queries,
    core: LOAD_CORE,
  });
  const cpu = cpuSeconds(pid) - cpuBefore;
  clearInterval(sampler);
  return {
    ...load,
    rps: Math.round(load.requests / load.seconds),
    cpu_us_per_request: Math.round((cpu / load.requests) * 1e7) / 10,
    peak_rss_mb: Math.round(peak / 1e5) / 10,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const allTargets: TargetName[] = ["passthrough", "floor", "gateway", "gateway-binary", "fastify", "nginx"];
// A peer the machine cannot run is skipped with its reason, not failed: the rest still compare.
const missing: Partial<Record<TargetName, string | undefined>> = {
  fastify: Bun.which("node") ? undefined : "node is not on PATH",
  nginx: nginxMissing(),
};
const skipped: Record<string, string> = {};
const targets = allTargets.filter((t) => {
  if (!(only("--targets")?.includes(t) ?? true) || (t === "gateway-binary" && flag("--no-binary")))
    return false;
  const reason = missing[t];
  if (reason) {
    skipped[t] = reason;
    console.error(`bench: skipping ${t}: ${reason}`);
  }
  return !reason;
});
type Scenario = { name: string; group?: string; connections: number; mode: LoadMode; latency: number };
const allScenarios: Scenario[] = [
  { name: "miss", connections: 32, mode: "miss", latency: 0 },
  { name: "hit", connections: 32, mode: "hit", latency: 0 },
  { name: "p99-256c-20ms", connections: 256, mode: "miss", latency: 20 },
  { name: "zipf-64c", group: "zipf", connections: 64, mode: "zipf", latency: 0 },
  { name: "zipf-256c", group: "zipf", connections: 256, mode: "zipf", latency: 0 },
];
const scenarios = allScenarios.filter(
  (s) => only("--scenarios")?.some((n) => n === s.name || n === s.group) ?? true,
);
// Enough queries that no run at this machine's rates wraps round its file (a wrap is reported).
const ZIPF_PER_RUN = 600_000;
const zipfRuns = scenarios.some((s) => s.mode === "zipf")
  ? writeZipfRuns(join(root, "test-output", "bench", "zipf"), ROUNDS + 1, ZIPF_PER_RUN)
  : [];
const queriesFor = (scenario: Scenario, run: number) =>
  scenario.mode === "zipf" ? zipfRuns[run] : undefined;

const results: Record<string, Record<string, Measured[]>> = {};
let failed = false;
for (const scenario of scenarios) {
  const backends = await startBackends(scenario.latency);
  const running = new Map<TargetName, Running>();
  for (const name of targets) running.set(name, await startTarget(name, backends.urls));
  for (const [, target] of running)
    await wrk({
      url: target.url,
      connections: scenario.connections,
      seconds: WARMUP,
      token,
      mode: scenario.mode,
      queries: queriesFor(scenario, 0),
      core: LOAD_CORE,
    });
  results[scenario.name] = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of targets) {
      const target = running.get(name);
      if (!target) continue;
      const m = await measure(target, scenario.connections, scenario.mode, queriesFor(scenario, round + 1));
      if (scenario.mode === "zipf" && m.requests > ZIPF_PER_RUN)
        console.error(`${scenario.name} ${name}: the run outlasted its ${ZIPF_PER_RUN} queries and wrapped`);
      if (m.non2xx > 0 || m.socket_errors > 0) failed = true;
      const list = (results[scenario.name] as Record<string, Measured[]>)[name] ?? [];
      list.push(m);
      (results[scenario.name] as Record<string, Measured[]>)[name] = list;
      console.error(
        `${scenario.name} round ${round + 1} ${name}: ${m.rps} req/s, ${m.cpu_us_per_request} µs CPU/req, p99 ${m.p99_us} µs, hit ratio ${m.hit_ratio ?? "-"}, non-2xx ${m.non2xx}`,
      );
    }
  }
  for (const [, target] of running) await target.stop();
  await stopProcess(backends.child as never);
}

/** Exec to the first 200 on /healthz (the URL comes from the startup line), median of 10. */
async function startupMs(): Promise<number | undefined> {
  if (!targets.includes("gateway-binary")) return undefined;
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const started = performance.now();
    // Nothing listens on port 9: /healthz makes no backend call.
    const nowhere = { users: "http://127.0.0.1:9", aggregator: "http://127.0.0.1:9" };
    const { child, info } = await startGateway([binary, ...serveArgs(nowhere)]);
    const response = await fetch(`${info.url}/healthz`);
    if (response.status !== 200) throw new Error(`/healthz answered ${response.status}`);
    times.push(performance.now() - started);
    await stopProcess(child as never);
  }
  return Math.round(median(times) * 10) / 10;
}

async function soak(): Promise<{ rss_start_mb: number; rss_end_mb: number; growth: number } | undefined> {
  if (!flag("--soak")) return undefined;
  const backends = await startBackends(0);
  const target = await startTarget("gateway", backends.urls);
  await wrk({ url: target.url, connections: 32, seconds: SOAK_WARMUP, token, mode: "miss", core: LOAD_CORE });
  // RSS swings by +-15% between collections under this load, so two single readings can show growth
  // that is not there: the medians of the first and the last 10 s of one-second samples are compared.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssBytes(target.child.pid)), 1000);
  const load = await wrk({
    url: target.url,
    connections: 32,
    seconds: 60,
    token,
    mode: "miss",
    core: LOAD_CORE,
  });
  clearInterval(sampler);
  const start = median(samples.slice(0, 10));
  const end = median(samples.slice(-10));
  if (load.non2xx > 0 || load.socket_errors > 0) failed = true;
  await target.stop();
  await stopProcess(backends.child as never);
  return {
    rss_start_mb: Math.round(start / 1e5) / 10,
    rss_end_mb: Math.round(end / 1e5) / 10,
    growth: Math.round((end / start - 1) * 1000) / 1000,
  };
}

const summary: Record<string, Record<string, Record<string, number | null>>> = {};
for (const [scenario, byTarget] of Object.entries(results)) {
  summary[scenario] = {};
  for (const [name, runs] of Object.entries(byTarget)) {
    const ratios = runs.flatMap((r) => (r.hit_ratio === null ? [] : [r.hit_ratio]));
    (summary[scenario] as Record<string, Record<string, number | null>>)[name] = {
      rps: median(runs.map((r) => r.rps)),
      hit_ratio: ratios.length ? median(ratios) : null,
      p50_us: median(runs.map((r) => r.p50_us)),
      p99_us: median(runs.map((r) => r.p99_us)),
      cpu_us_per_request: median(runs.map((r) => r.cpu_us_per_request)),
      peak_rss_mb: Math.max(...runs.map((r) => r.peak_rss_mb)),
      non2xx: runs.reduce((n, r) => n + r.non2xx + r.socket_errors, 0),
      load_cores: median(runs.map((r) => r.load_cores)),
    };
  }
}
const at = (s: string, t: string, k: string) => summary[s]?.[t]?.[k] ?? Number.NaN;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const ratios: Record<string, number> = {};
// Not a target of the issue: how far the least possible work (bench/lib/floor.ts) already is from the
// passthrough, and how far the gateway is from that.
ratios["floor miss cpu/req vs passthrough"] = ratio(
  at("miss", "floor", "cpu_us_per_request"),
  at("miss", "passthrough", "cpu_us_per_request"),
);
ratios["floor hit cpu/req vs passthrough"] = ratio(
  at("hit", "floor", "cpu_us_per_request"),
  at("hit", "passthrough", "cpu_us_per_request"),
);
for (const gw of targets.filter((t) => t.startsWith("gateway"))) {
  ratios[`${gw} miss cpu/req vs floor`] = ratio(
    at("miss", gw, "cpu_us_per_request"),
    at("miss", "floor", "cpu_us_per_request"),
  );
}
for (const gw of targets.filter((t) => t.startsWith("gateway"))) {
  ratios[`${gw} miss cpu/req vs passthrough (target <= 1.25)`] = ratio(
    at("miss", gw, "cpu_us_per_request"),
    at("miss", "passthrough", "cpu_us_per_request"),
  );
  ratios[`${gw} miss req/s vs passthrough (target >= 0.8)`] = ratio(
    at("miss", gw, "rps"),
    at("miss", "passthrough", "rps"),
  );
  ratios[`${gw} hit cpu/req vs passthrough (target <= 0.6)`] = ratio(
    at("hit", gw, "cpu_us_per_request"),
    at("hit", "passthrough", "cpu_us_per_request"),
  );
  ratios[`${gw} p99 at 256c/20ms vs passthrough (target <= 1.2)`] = ratio(
    at("p99-256c-20ms", gw, "p99_us"),
    at("p99-256c-20ms", "passthrough", "p99_us"),
  );
}
const loadSaturated = Object.entries(summary).flatMap(([s, byTarget]) =>
  Object.entries(byTarget)
    .filter(([, v]) => (v.load_cores ?? 0) > 0.9)
    .map(([t]) => `${s}/${t}`),
);
const report = {
  date: new Date().toISOString(),
  machine: { cores, pinned: TARGET_CORE !== undefined && Bun.which("taskset") !== null },
  settings: {
    rounds: ROUNDS,
    seconds: SECONDS,
    warmup: WARMUP,
    soak_warmup: flag("--soak") ? SOAK_WARMUP : undefined,
  },
  summary,
  skipped,
  ratios,
  startup_ms_median_of_10: await startupMs(),
  soak: await soak(),
  load_side_saturated: loadSaturated,
  failed,
};
writeFileSync(join(root, "test-output", "bench", "results.json"), `${JSON.stringify(report, null, 2)}\n`);
for (const [scenario, byTarget] of Object.entries(summary)) {
  console.log(`\n${scenario}`);
  console.table(byTarget);
}
console.log("\nratios (medians of the same run):");
console.table(ratios);
console.log(
  `startup (exec -> first 200 on /healthz, median of 10): ${report.startup_ms_median_of_10 ?? "skipped"} ms`,
);
if (report.soak)
  console.log(
    `soak: RSS ${report.soak.rss_start_mb} -> ${report.soak.rss_end_mb} MB (${report.soak.growth * 100}%)`,
  );
if (loadSaturated.length) {
  console.log(`load generator saturated (ratios there are lower bounds): ${loadSaturated.join(", ")}`);
}
if (failed) {
  console.log("FAILED: some requests were not 2xx; these numbers are not results.");
  process.exit(1);
}
