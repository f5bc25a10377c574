/**
 * Two or more builds of the gateway (source trees, e.g. `git worktree add ../old HEAD~1`) or floors,
 * all started at once on the target core; wrk drives one at a time in short blocks, round-robin, and
 * the CPU each used over its block is divided by its requests. The machine's speed drifts by 20-40%
 * over tens of seconds here, and a change of 5-15% vanishes between separate runs; blocks of a second,
 * alternated, meet the same drift, so the median of the per-block ratios to the first target resolves it.
 *
 *   bun bench/ab-trees.ts <hit|miss|zipf> <blocks> <seconds> <tree-or-floor>... [--connections N]
 *   bun bench/ab-trees.ts hit 12 1 ../old . floor-required
 *
 * A target named `floor`, `floor-elysia`, `floor-required` or `floor-product` is that bench floor
 * (bench/lib/); `passthrough` and `fastify` are the runner's targets of those names. Connections: 32
 * unless said (the runner's hit and miss scenarios; the Zipf goals are at 64 and 256). `--json <path>`
 * writes every block's CPU µs per request per target, for ratios between any two targets paired by block.
 */
import { resolve } from "node:path";
import {
  LOAD_CORE,
  OUT,
  serveArgs,
  startBackends,
  startGateway,
  startTarget,
  TARGET_CORE,
  TOKEN,
} from "./lib/launch.ts";
import { cpuSeconds } from "./lib/proc.ts";
import { pinned, startJsonProcess, stopProcess } from "./lib/targets.ts";
import { type LoadMode, wrk } from "./lib/wrk.ts";
import { writeZipfRuns } from "./lib/zipf.ts";

const args = process.argv.slice(2);
const flag = args.indexOf("--connections");
const connections = flag === -1 ? 32 : Number(args.splice(flag, 2)[1]);
const jsonFlag = args.indexOf("--json");
const jsonPath = jsonFlag === -1 ? undefined : args.splice(jsonFlag, 2)[1];
const [modeArg = "hit", blocksArg = "12", secondsArg = "1", ...targets] = args;
const mode = modeArg as LoadMode;
if ((mode !== "hit" && mode !== "miss" && mode !== "zipf") || targets.length < 2 || !(connections >= 1)) {
  console.error(
    "usage: bun bench/ab-trees.ts <hit|miss|zipf> <blocks> <seconds> <tree-or-floor> <tree-or-floor>... [--connections N] [--json path]",
  );
  process.exit(2);
}
const FLOORS = new Set(["floor", "floor-elysia", "floor-required", "floor-product"]);
const PEERS = new Set(["passthrough", "fastify"]);

const backends = await startBackends(0);
const running: { name: string; pid: number; url: string; stop(): Promise<void> }[] = [];
for (const target of targets) {
  if (PEERS.has(target)) {
    const kind = target as "passthrough" | "fastify";
    const peer = await startTarget({ name: kind, kind }, backends.urls);
    running.push({ name: target, pid: peer.child.pid, url: peer.url, stop: peer.stop });
    continue;
  }
  const { child, info } = FLOORS.has(target)
    ? await startJsonProcess(
        pinned(TARGET_CORE, [
          process.execPath,
          `${import.meta.dir}/lib/${target}.ts`,
          backends.urls.aggregator,
          TOKEN,
        ]),
      )
    : await startGateway(
        pinned(TARGET_CORE, [
          process.execPath,
          resolve(target, "cli", "main.ts"),
          ...serveArgs(backends.urls),
          "--config",
          `${OUT}/gateway.json`,
        ]),
      );
  running.push({ name: target, pid: child.pid, url: info.url as string, stop: () => stopProcess(child) });
}

// Zipf: every target reads the same query file in the same block (one file per block, as the runner
// gives one per round), so each meets the same mix and none replays what it has cached.
const zipfFiles = mode === "zipf" ? writeZipfRuns(`${OUT}/ab-zipf`, Number(blocksArg) + 1, 60_000) : [];
const load = (url: string, seconds: number, block = -1) =>
  wrk({ url, connections, seconds, token: TOKEN, mode, core: LOAD_CORE, queries: zipfFiles[block + 1] });
for (const target of running) await load(target.url, 3);
const perRequest: number[][] = running.map(() => []);
for (let block = 0; block < Number(blocksArg); block++) {
  for (const [i, target] of running.entries()) {
    const before = cpuSeconds(target.pid);
    const result = await load(target.url, Number(secondsArg), block);
    if (result.non2xx > 0) console.error(`${target.name}: ${result.non2xx} non-2xx answers`);
    perRequest[i]?.push(((cpuSeconds(target.pid) - before) / result.requests) * 1e6);
  }
}
for (const target of running) await target.stop();
await backends.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const first = perRequest[0] ?? [];
for (const [i, target] of running.entries()) {
  const mine = perRequest[i] ?? [];
  const ratio = median(mine.map((us, block) => us / (first[block] ?? NaN)));
  console.log(
    `${target.name.padEnd(20)} CPU µs/request median ${median(mine).toFixed(1).padStart(6)}   ` +
      `paired ratio to ${running[0]?.name}: ${ratio.toFixed(3)}   blocks: ${mine.map((us) => us.toFixed(1)).join(" ")}`,
  );
}
if (jsonPath !== undefined) {
  const blocks = Object.fromEntries(running.map((target, i) => [target.name, perRequest[i] ?? []]));
  await Bun.write(
    jsonPath,
    JSON.stringify({ mode, connections, seconds: Number(secondsArg), blocks }, null, 1),
  );
}
