/**
 * The performance issue's bench: every scenario its goals need, on the gateway, the floor, the bare
 * passthrough and the peers, under wrk, each target pinned to its own core (load generator and backends
 * on the other). Ends with one table of every goal (measured values, ratio, threshold, met / not met),
 * one row per target and scenario, results.json (goals and raw rounds) and an SVG chart.
 *
 *   npm run bench      # or: bun bench/run.ts [--rounds 3] [--seconds 5] [--warmup 3] [--fill-seconds 20]
 *                      #   [--soak] [--soak-warmup 40] [--no-binary] [--goals] [--chart docs/performance-chart.svg]
 *   bun bench/run.ts --scenarios hit --targets passthrough,gateway --no-binary   # one comparison
 * docs/performance.md ("The suite") says what each scenario, target and goal is.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chartSvg } from "./lib/chart.ts";
import { evaluateAll } from "./lib/goals.ts";
import { BINARY, buildBinary, CORES, missingReason, OUT, TARGET_CORE } from "./lib/launch.ts";
import type { Measured } from "./lib/measure.ts";
import { parseOptions } from "./lib/options.ts";
import type { BenchResults, Summary } from "./lib/results.ts";
import { type Plan, runScenario } from "./lib/run-scenario.ts";
import { selectScenarios } from "./lib/scenarios.ts";
import { soak } from "./lib/soak.ts";
import { startupMs } from "./lib/startup.ts";
import { goalsTable, scenariosTable } from "./lib/table.ts";
import { writeZipfFill, writeZipfRuns } from "./lib/zipf.ts";

const options = parseOptions(process.argv.slice(2));
if (!Bun.which("wrk")) {
  console.error("bench: wrk is needed (apt-get install wrk)");
  process.exit(2);
}

const skipped: Record<string, string> = {};
const scenarios = selectScenarios(options).map((scenario) => ({
  ...scenario,
  targets: scenario.targets.filter((t) => {
    const reason = missingReason(t.kind);
    if (reason) skipped[t.name] = reason;
    return !reason;
  }),
}));
for (const [name, reason] of Object.entries(skipped)) console.error(`bench: skipping ${name}: ${reason}`);

const withBinary =
  !options.noBinary &&
  (options.targets?.includes("gateway-binary") ?? true) &&
  (scenarios.some((s) => s.targets.some((t) => t.kind === "gateway-binary")) || !options.scenarios);
if (withBinary) buildBinary();

// Enough queries that no run at this machine's rates wraps round its file (a wrap is reported).
const ZIPF_PER_RUN = 600_000;
const zipfDir = join(OUT, "zipf");
const plan: Plan = {
  rounds: options.rounds,
  seconds: options.seconds,
  warmup: options.warmup,
  fillSeconds: options.fillSeconds,
  zipfPerRun: ZIPF_PER_RUN,
  zipfRuns: scenarios.some((s) => s.mode === "zipf")
    ? writeZipfRuns(zipfDir, options.rounds + 1, ZIPF_PER_RUN)
    : [],
  zipfFill: scenarios.some((s) => s.kind === "memory" && s.mode === "zipf")
    ? writeZipfFill(zipfDir)
    : undefined,
};

const raw: Record<string, Record<string, Measured[]>> = {};
const summary: Record<string, Record<string, Summary>> = {};
// Only where the targets alternate within each round: a memory scenario runs them one after another.
const rounds: Record<string, Record<string, number[]>> = {};
for (const scenario of scenarios) {
  const runs = await runScenario(scenario, plan);
  raw[scenario.name] = runs.raw;
  summary[scenario.name] = runs.summary;
  if (scenario.kind === "speed")
    rounds[scenario.name] = Object.fromEntries(
      Object.entries(runs.raw).map(([target, measured]) => [
        target,
        measured.map((m) => m.cpu_us_per_request),
      ]),
    );
}

// The binary's start-up runs whenever it was built: the start-up goal is about it alone.
const results: BenchResults = {
  summary,
  skipped,
  startup_ms: withBinary ? await startupMs() : undefined,
  soak: options.soak ? await soak(options.soakWarmup) : undefined,
  rounds,
};
const subjects = ["gateway", "gateway-binary"].filter((t) => Object.values(summary).some((s) => t in s));
const goals = evaluateAll(results, subjects.length ? subjects : ["gateway"]);
const loadSaturated = Object.entries(summary).flatMap(([s, byTarget]) =>
  Object.entries(byTarget)
    .filter(([, v]) => v.load_cores > 0.9)
    .map(([t]) => `${s}/${t}`),
);
const failed = goals.some((g) => g.id === "non2xx" && g.status === "not met");
const date = new Date().toISOString();
// The chart shows the speed scenarios: the memory ones' req/s are a by-product of filling a cache.
const speed: Record<string, Record<string, Summary>> = {};
for (const s of scenarios) {
  const byTarget = summary[s.name];
  if (s.kind === "speed" && byTarget) speed[s.name] = byTarget;
}
const chart = {
  title: `npm run bench, ${date.slice(0, 10)}, ${options.rounds} x ${options.seconds} s, ${CORES} cores`,
  scenarios: Object.keys(speed),
};
const svg = chartSvg({ title: chart.title, summary: speed });
writeFileSync(
  join(OUT, "results.json"),
  `${JSON.stringify(
    {
      date,
      machine: { cores: CORES, pinned: TARGET_CORE !== undefined && Bun.which("taskset") !== null },
      settings: { ...options, binary: withBinary ? BINARY : undefined },
      goals,
      summary,
      skipped,
      startup_ms_median_of_10: results.startup_ms,
      soak: results.soak,
      load_side_saturated: loadSaturated,
      failed,
      chart,
      raw,
    },
    null,
    2,
  )}\n`,
);

writeFileSync(join(OUT, "chart.svg"), svg);
if (options.chart) writeFileSync(options.chart, svg);

console.log(`\nper scenario and target (medians of ${options.rounds} rounds of ${options.seconds} s)\n`);
console.log(scenariosTable(summary));
console.log("\ngoals (one run)\n");
console.log(goalsTable(goals));
if (loadSaturated.length)
  console.log(`\nload generator saturated (ratios there are lower bounds): ${loadSaturated.join(", ")}`);
console.log(
  `\nwritten: ${join(OUT, "results.json")}, ${join(OUT, "chart.svg")}${options.chart ? `, ${options.chart}` : ""}`,
);
if (failed) {
  console.log("FAILED: some requests were not 2xx; these numbers are not results.");
  process.exit(1);
}
