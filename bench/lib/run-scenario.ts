/**
 * One scenario's runs. Speed: every target up at once, each warmed, then the targets alternate within
 * each round. Memory: one target at a time, alone, its RSS watched from start to stop (the fill where
 * the target has one, the warm-up and the rounds), and a gateway's cache fill read at the end.
 */
import { budgetOf, cacheFill } from "./cache-fill.ts";
import { type Backends, LOAD_CORE, type Running, startBackends, startTarget, TOKEN } from "./launch.ts";
import { type Load, type Measured, measure, rssPeak, summarize } from "./measure.ts";
import type { Summary } from "./results.ts";
import type { Scenario, TargetSpec } from "./scenarios.ts";
import { wrk } from "./wrk.ts";

export interface Plan {
  rounds: number;
  seconds: number;
  warmup: number;
  fillSeconds: number;
  /** Query files of the Zipf mix: [warm-up, round 1, ...]. */
  zipfRuns: string[];
  /** Every distinct query once (the memory scenarios' fill). */
  zipfFill: string | undefined;
  /** A run's query count: one that sends more wraps round its file, which is reported. */
  zipfPerRun: number;
}

export interface ScenarioRuns {
  raw: Record<string, Measured[]>;
  summary: Record<string, Summary>;
}

const loadOf = (scenario: Scenario, plan: Plan, run: number, seconds: number): Load => ({
  connections: scenario.connections,
  seconds,
  token: TOKEN,
  mode: scenario.mode,
  queries: scenario.mode === "zipf" ? plan.zipfRuns[run] : undefined,
  core: LOAD_CORE,
});

function report(scenario: Scenario, plan: Plan, name: string, round: number, m: Measured) {
  if (scenario.mode === "zipf" && m.requests > plan.zipfPerRun)
    console.error(`${scenario.name} ${name}: the run outlasted its ${plan.zipfPerRun} queries and wrapped`);
  console.error(
    `${scenario.name} round ${round + 1} ${name}: ${m.rps} req/s, ${m.cpu_us_per_request} µs CPU/req, p99 ${m.p99_us} µs, hit ratio ${m.hit_ratio ?? "-"}, peak RSS ${m.peak_rss_mb} MB, non-2xx ${m.non2xx}`,
  );
}

export async function runScenario(scenario: Scenario, plan: Plan): Promise<ScenarioRuns> {
  const backends = await startBackends(scenario.latency);
  try {
    return scenario.kind === "speed"
      ? await runSpeed(scenario, plan, backends.urls)
      : await runMemory(scenario, plan, backends.urls);
  } finally {
    await backends.stop();
  }
}

async function runSpeed(scenario: Scenario, plan: Plan, backends: Backends): Promise<ScenarioRuns> {
  const running = new Map<string, Running>();
  const raw: Record<string, Measured[]> = {};
  try {
    for (const target of scenario.targets) running.set(target.name, await startTarget(target, backends));
    for (const [, target] of running)
      await wrk({ url: target.url, ...loadOf(scenario, plan, 0, plan.warmup) });
    for (let round = 0; round < plan.rounds; round++) {
      for (const [name, target] of running) {
        const m = await measure(target, loadOf(scenario, plan, round + 1, plan.seconds));
        report(scenario, plan, name, round, m);
        raw[name] = [...(raw[name] ?? []), m];
      }
    }
  } finally {
    for (const [, target] of running) await target.stop();
  }
  return {
    raw,
    summary: Object.fromEntries(Object.entries(raw).map(([name, runs]) => [name, summarize(runs)])),
  };
}

async function runMemory(scenario: Scenario, plan: Plan, backends: Backends): Promise<ScenarioRuns> {
  const raw: Record<string, Measured[]> = {};
  const summary: Record<string, Summary> = {};
  for (const spec of scenario.targets) {
    const target = await startTarget(spec, backends);
    try {
      const peak = rssPeak(target.child.pid);
      if (spec.fill && scenario.mode === "zipf" && plan.zipfFill && plan.fillSeconds > 0)
        await wrk({
          url: target.url,
          ...loadOf(scenario, plan, 0, plan.fillSeconds),
          queries: plan.zipfFill,
        });
      await wrk({ url: target.url, ...loadOf(scenario, plan, 0, plan.warmup) });
      const runs: Measured[] = [];
      for (let round = 0; round < plan.rounds; round++) {
        const m = await measure(target, loadOf(scenario, plan, round + 1, plan.seconds));
        report(scenario, plan, spec.name, round, m);
        runs.push(m);
      }
      raw[spec.name] = runs;
      summary[spec.name] = { ...summarize(runs), peak_rss_mb: peak.stop(), ...(await fillOf(spec, target)) };
    } finally {
      await target.stop();
    }
  }
  return { raw, summary };
}

async function fillOf(spec: TargetSpec, target: Running) {
  if (spec.kind !== "gateway" && spec.kind !== "gateway-binary") return {};
  const { entries, fill } = await cacheFill(target.url, TOKEN, budgetOf(spec.env));
  return { cache_entries: entries, cache_fill: fill };
}
