/**
 * What each piece floor-required adds to floor-elysia costs alone, in CPU ns per call, in one process with
 * the pieces alternated over rounds (medians): the access-log line (the gateway's logger, formatting and
 * batching into a string, no write), the request id (`requestIdFrom`, a random UUID), one GCRA decision
 * in `MemoryLimitStore` with its RateLimit header text, and, for comparison, the floor's own
 * `new URL(request.url).searchParams.get` that Elysia's query parse replaces.
 * Run: taskset -c 0 bun bench/floor-parts.ts [rounds, default 7] [calls per round, default 200000]
 */
import { createLogger } from "../src/core/logger.ts";
import { requestIdFrom } from "../src/core/security/request-id.ts";
import { MemoryLimitStore } from "../src/stores/memory-limit-store.ts";

const rounds = Number(process.argv[2] ?? 7);
const calls = Number(process.argv[3] ?? 200_000);

let batch = "";
const logger = createLogger("info", (line) => {
  batch += `${line}\n`;
  if (batch.length >= 64 * 1024) batch = "";
});
const limits = new MemoryLimitStore();
const url = "http://127.0.0.1:40000/search?query=benchmark";
let sink = 0;

const parts: Record<string, () => void> = {
  "access-log line": () =>
    logger.info("request", {
      request_id: "4dc9f239-2844-4ce0-b0ec-53914f300333",
      method: "GET",
      route: "/search",
      status: 200,
      duration_ms: Math.round(Math.random() * 10_000) / 100,
      user_id: "bench-user",
      plan: "premium",
      cache: "HIT",
    }),
  "request id (random UUID)": () => {
    sink += requestIdFrom(null).length;
  },
  "GCRA decision + RateLimit text": () => {
    const { bucket } = limits.decide({ key: "rate:bench-user", limit: 100_000_000, periodMs: 60_000 });
    sink += `"minute";r=${bucket.remaining};t=${Math.ceil(bucket.resetMs / 1000)}`.length;
  },
  "new URL + searchParams.get (the floor's)": () => {
    sink += new URL(url).searchParams.get("query")?.length ?? 0;
  },
};

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
const results: Record<string, number[]> = {};
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, part] of Object.entries(parts)) {
    const start = cpuNs();
    for (let i = 0; i < calls; i++) part();
    const perCall = (cpuNs() - start) / calls;
    // Round 0 is the warm-up (JIT tiers).
    if (round > 0) results[name] = [...(results[name] ?? []), perCall];
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const [name, xs] of Object.entries(results))
  console.log(
    `${name.padEnd(42)} ${median(xs).toFixed(0).padStart(6)} ns/call  (${xs.map((x) => x.toFixed(0)).join(" ")})`,
  );
limits.close();
if (sink < 0) console.log(sink);
