/**
 * The performance issue's goals as data: what each compares, how its number comes from one run's results,
 * the threshold and which way it must fall. Where the floor (bench/lib/floor.ts, the least the required
 * work costs) ran in the same scenario, a goal also computes its number for the floor, so a goal that even
 * the floor misses says so in the same run instead of looking like the gateway's failure alone.
 */
import { type BenchResults, lookup, median, type Summary } from "./results.ts";

export type Unit = "x" | "MB" | "ms" | "%" | "";

export interface Measured {
  /** The compared number: a ratio (unit "x") or an absolute value in the goal's unit. */
  ratio: number;
  /** The measured values it came from, for the table ("gateway 120 µs, floor 100 µs"). */
  values: string;
  /** The same number for the floor, where the floor ran. */
  floor?: number;
  /** The same number for every other floor that ran (`floor-...` targets), by target name. */
  floors?: Record<string, number>;
  /** A reason the number proves nothing (a budget the load never filled): shown as not measured. */
  inconclusive?: string;
}

export interface Goal {
  id: string;
  text: string;
  threshold: number;
  /** "max": met when the number is at most the threshold; "min": when it is at least. */
  direction: "max" | "min";
  unit: Unit;
  /** The number, or why it could not be measured. */
  measure(results: BenchResults): Measured | string;
}

export type Status = "met" | "not met" | "not measured";

export interface GoalResult {
  id: string;
  text: string;
  threshold: number;
  direction: "max" | "min";
  unit: Unit;
  status: Status;
  ratio: number | null;
  values: string;
  floor: number | null;
  /** The floor itself misses the threshold: no implementation of the required work met it in this run. */
  below_floor: boolean;
  /** The other floors' numbers (floor-elysia, floor-required, ...), by target name; empty where none ran. */
  floors: Record<string, number>;
  /**
   * Every variant of floor-required that ran misses the threshold: no implementation of the issue's
   * required work on the fixed stack met it in this run (a variant that met it, e.g. one holding a
   * smaller cache, shows a way to it).
   */
  below_required_floor: boolean;
  /** Likewise for floor-elysia: the floor's work on Elysia alone, without the every-request work, misses it. */
  below_framework_floor: boolean;
  /**
   * Likewise for floor-product: the every-request work of all the gateway's issues (token memo by
   * SHA-256, revocation, user and plan, parameters, Host, trace, metrics), done minimally, misses it.
   */
  below_product_floor: boolean;
  reason?: string;
}

// A number equal to its threshold but for float rounding ((112.58 - 100) / 8.39) counts as equal: the
// inputs are rounded to 0.1 MB or µs long before this, so no real measurement is that close by chance.
const EPSILON = 1e-9;
const passes = (goal: Pick<Goal, "direction" | "threshold">, n: number) => {
  const slack = EPSILON * Math.max(1, Math.abs(goal.threshold));
  return goal.direction === "max" ? n <= goal.threshold + slack : n >= goal.threshold - slack;
};

export function evaluate(goal: Goal, results: BenchResults): GoalResult {
  const base = {
    id: goal.id,
    text: goal.text,
    threshold: goal.threshold,
    direction: goal.direction,
    unit: goal.unit,
  };
  const measured = goal.measure(results);
  if (typeof measured === "string")
    return {
      ...base,
      status: "not measured",
      ratio: null,
      values: "",
      floor: null,
      below_floor: false,
      floors: {},
      below_required_floor: false,
      below_framework_floor: false,
      below_product_floor: false,
      reason: measured,
    };
  const floor = measured.floor ?? null;
  const floors = measured.floors ?? {};
  const result: GoalResult = {
    ...base,
    // NaN (a zero or missing measurement) is never met.
    status: passes(goal, measured.ratio) ? "met" : "not met",
    ratio: measured.ratio,
    values: measured.values,
    floor,
    below_floor: floor !== null && !passes(goal, floor),
    floors,
    below_required_floor: allMiss(goal, floors, REQUIRED_FLOOR),
    below_framework_floor: allMiss(goal, floors, FRAMEWORK_FLOOR),
    below_product_floor: allMiss(goal, floors, PRODUCT_FLOOR),
  };
  if (measured.inconclusive) return { ...result, status: "not measured", reason: measured.inconclusive };
  return result;
}

/** A floor other than the floor: a target named `floor-...`. */
export const isOtherFloor = (target: string) => target.startsWith("floor-");
export const FRAMEWORK_FLOOR = "floor-elysia";
export const REQUIRED_FLOOR = "floor-required";
export const PRODUCT_FLOOR = "floor-product";

/** Some variant of `family` (its name, or its name and a suffix: floor-required-1entry) ran, and none met the goal. */
function allMiss(
  goal: Pick<Goal, "direction" | "threshold">,
  floors: Record<string, number>,
  family: string,
) {
  const numbers = Object.entries(floors)
    .filter(([name]) => name === family || name.startsWith(`${family}-`))
    .map(([, n]) => n);
  return numbers.length > 0 && numbers.every((n) => !passes(goal, n));
}

/** `of(summary)` for every other floor that ran in `scenario`; `skip`: one not to compare (the base). */
function otherFloors(
  results: BenchResults,
  scenario: string,
  of: (name: string, s: Summary) => number,
  skip?: string,
): { floors?: Record<string, number> } {
  const byTarget = results.summary[scenario] ?? {};
  const floors: Record<string, number> = {};
  for (const [name, s] of Object.entries(byTarget))
    if (isOtherFloor(name) && name !== skip) floors[name] = of(name, s);
  return Object.keys(floors).length ? { floors } : {};
}

/**
 * `a`'s CPU per request over `b`'s in `scenario`: the median of the per-round ratios where both ran the
 * same rounds of a speed scenario, else the ratio of their medians.
 */
export function cpuOver(results: BenchResults, scenario: string, a: string, b: string): number {
  const byTarget = results.rounds?.[scenario];
  const ra = byTarget?.[a];
  const rb = byTarget?.[b];
  if (ra && rb && ra.length > 0 && ra.length === rb.length)
    return median(ra.map((us, i) => us / (rb[i] as number)));
  const sa = results.summary[scenario]?.[a];
  const sb = results.summary[scenario]?.[b];
  return sa && sb ? sa.cpu_us_per_request / sb.cpu_us_per_request : Number.NaN;
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const us = (s: Summary) => `${round(s.cpu_us_per_request, 1)} µs`;

/** `subject`'s CPU per request over `base`'s in `scenario`; the floor's over `base`'s beside it. */
function cpuRatio(scenario: string, subject: string, base: string) {
  return (results: BenchResults): Measured | string => {
    const s = lookup(results, scenario, subject);
    const b = lookup(results, scenario, base);
    if (typeof s === "string") return s;
    if (typeof b === "string") return b;
    const hasFloor = base !== "floor" && results.summary[scenario]?.floor !== undefined;
    return {
      ratio: cpuOver(results, scenario, subject, base),
      values: `${subject} ${us(s)}, ${base} ${us(b)} CPU/req`,
      ...(hasFloor ? { floor: cpuOver(results, scenario, "floor", base) } : {}),
      ...otherFloors(results, scenario, (name) => cpuOver(results, scenario, name, base), base),
    };
  };
}

/** Requests per CPU-second of `subject` over the peer's: the peer's CPU per request over the subject's. */
function perCpuSecond(scenario: string, subject: string, peer: string) {
  return (results: BenchResults): Measured | string => {
    const s = lookup(results, scenario, subject);
    const p = lookup(results, scenario, peer);
    if (typeof s === "string") return s;
    if (typeof p === "string") return p;
    const perSecond = (x: Summary) => Math.round(1e6 / x.cpu_us_per_request).toLocaleString("en-US");
    const hasFloor = results.summary[scenario]?.floor !== undefined;
    return {
      ratio: cpuOver(results, scenario, peer, subject),
      values: `${subject} ${perSecond(s)}, ${peer} ${perSecond(p)} req/CPU-s`,
      ...(hasFloor ? { floor: cpuOver(results, scenario, peer, "floor") } : {}),
      ...otherFloors(results, scenario, (name) => cpuOver(results, scenario, peer, name)),
    };
  };
}

function peakRss(scenario: string, subject: string) {
  return (results: BenchResults): Measured | string => {
    const s = lookup(results, scenario, subject);
    if (typeof s === "string") return s;
    const f = results.summary[scenario]?.floor;
    return {
      ratio: s.peak_rss_mb,
      values: `${subject} ${s.peak_rss_mb} MB`,
      ...(f ? { floor: f.peak_rss_mb } : {}),
      ...otherFloors(results, scenario, (_, x) => x.peak_rss_mb),
    };
  };
}

/** Below this share of its budget a cache was not filled, and its RSS says nothing about the budget. */
export const FILLED = 0.9;

/** (peak RSS - the no-cache peak) over the budget, in the same MB: at most 1.5 means RSS <= no-cache + 1.5x budget. */
function budgetRss(scenario: string, subject: string, budgetMiB: number) {
  return (results: BenchResults): Measured | string => {
    const s = lookup(results, scenario, subject);
    const none = lookup(results, scenario, NO_CACHE);
    if (typeof s === "string") return s;
    if (typeof none === "string") return none;
    const budgetMb = (budgetMiB * 1024 * 1024) / 1e6;
    const fill = s.cache_fill ?? null;
    return {
      ratio: (s.peak_rss_mb - none.peak_rss_mb) / budgetMb,
      values: `${subject} ${s.peak_rss_mb} MB, no cache ${none.peak_rss_mb} MB, budget ${round(budgetMb, 1)} MB, fill ${fill === null ? "?" : round(fill)}`,
      ...(fill === null || fill >= FILLED
        ? {}
        : {
            inconclusive: `the load filled ${Math.round(fill * 100)}% of the budget (under ${FILLED * 100}%)`,
          }),
    };
  };
}

export const MEMORY_MISS = "memory-miss-256c";
export const MEMORY_ZIPF = "memory-zipf-256c";
export const NO_CACHE = "gateway-nocache";
export const FLOOR_ONE_ENTRY = "floor-1entry";
export const FLOOR_REQUIRED_ONE_ENTRY = "floor-required-1entry";
export const BUDGETS_MIB = [8, 64, 256] as const;
export const budgetTarget = (mib: number) => `gateway-cache-${mib}mib`;
const ZIPF_SCENARIOS = ["zipf-64c", "zipf-256c"];

/** The CPU thresholds, shared with the paired reading of bench/ab-trees.ts (paired.ts). */
export const CPU_THRESHOLDS = {
  perCpuVsFastify: 2.5,
  zipfVsPassthrough: 1.5,
  missVsFloor: 1.3,
  hitVsFloor: 1.5,
} as const;

/** The CPU goals of one gateway build (source or binary): the items 3 and 4. */
function cpuGoals(subject: string): Goal[] {
  const tag = subject === "gateway" ? "" : ` (${subject})`;
  const suffix = subject === "gateway" ? "" : `:${subject}`;
  return [
    ...ZIPF_SCENARIOS.map(
      (scenario): Goal => ({
        id: `${scenario}-per-cpu-vs-fastify${suffix}`,
        text: `${scenario}: requests per CPU-second vs the Fastify peer${tag}`,
        threshold: CPU_THRESHOLDS.perCpuVsFastify,
        direction: "min",
        unit: "x",
        measure: perCpuSecond(scenario, subject, "fastify"),
      }),
    ),
    ...ZIPF_SCENARIOS.map(
      (scenario): Goal => ({
        id: `${scenario}-cpu-vs-passthrough${suffix}`,
        text: `${scenario}: CPU per request vs the bare passthrough${tag}`,
        threshold: CPU_THRESHOLDS.zipfVsPassthrough,
        direction: "max",
        unit: "x",
        measure: cpuRatio(scenario, subject, "passthrough"),
      }),
    ),
    {
      id: `miss-cpu-vs-floor${suffix}`,
      text: `miss path: CPU per request vs the floor${tag}`,
      threshold: CPU_THRESHOLDS.missVsFloor,
      direction: "max",
      unit: "x",
      measure: cpuRatio("miss", subject, "floor"),
    },
    {
      id: `hit-cpu-vs-floor${suffix}`,
      text: `hit path: CPU per request vs the floor${tag}`,
      threshold: CPU_THRESHOLDS.hitVsFloor,
      direction: "max",
      unit: "x",
      measure: cpuRatio("hit", subject, "floor"),
    },
  ];
}

/** Every goal; `subjects` are the gateway builds that ran ("gateway", and "gateway-binary" when built). */
export function goals(subjects: string[] = ["gateway"]): Goal[] {
  return [
    ...subjects.flatMap(cpuGoals),
    {
      id: "rss-miss-256c",
      text: "peak RSS, default settings, miss path at 256 connections",
      threshold: 150,
      direction: "max",
      unit: "MB",
      measure: peakRss(MEMORY_MISS, "gateway"),
    },
    {
      id: "rss-zipf-256c",
      text: "peak RSS, default settings, Zipf mix at 256 connections",
      threshold: 150,
      direction: "max",
      unit: "MB",
      measure: peakRss(MEMORY_ZIPF, "gateway"),
    },
    ...BUDGETS_MIB.map(
      (mib): Goal => ({
        id: `rss-budget-${mib}mib`,
        text: `GATEWAY_CACHE_MAX_BYTES=${mib} MiB: (peak RSS - no-cache RSS) / budget, Zipf at 256c`,
        threshold: 1.5,
        direction: "max",
        unit: "x",
        measure: budgetRss(MEMORY_ZIPF, budgetTarget(mib), mib),
      }),
    ),
    {
      id: "startup",
      text: "compiled binary: exec to first 200 on /healthz (median of 10)",
      threshold: 100,
      direction: "max",
      unit: "ms",
      measure: (r) =>
        r.startup_ms === undefined
          ? "the binary was not built (--no-binary, or not in --targets)"
          : { ratio: r.startup_ms, values: `${r.startup_ms} ms` },
    },
    {
      id: "soak",
      text: "RSS growth over a 60 s soak after warm-up",
      threshold: 10,
      direction: "max",
      unit: "%",
      measure: (r) =>
        r.soak === undefined
          ? "no soak in this run (--soak)"
          : {
              ratio: round(r.soak.growth * 100, 1),
              values: `${r.soak.rss_start_mb} -> ${r.soak.rss_end_mb} MB`,
            },
    },
    {
      id: "non2xx",
      text: "non-2xx answers and socket errors, every run",
      threshold: 0,
      direction: "max",
      unit: "",
      measure: (r) => {
        const runs = Object.values(r.summary).flatMap((byTarget) => Object.values(byTarget));
        if (runs.length === 0 && r.soak === undefined) return "nothing ran";
        const total = runs.reduce((n, s) => n + s.non2xx, 0) + (r.soak?.non2xx ?? 0);
        return { ratio: total, values: `${runs.length} target runs${r.soak ? " and the soak" : ""}` };
      },
    },
  ];
}

export const evaluateAll = (results: BenchResults, subjects?: string[]) =>
  goals(subjects).map((goal) => evaluate(goal, results));
