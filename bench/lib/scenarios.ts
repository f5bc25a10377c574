/**
 * Every scenario the goals need and the targets each runs. A speed scenario starts its targets together
 * and alternates them within each round, so the machine's drift falls on all of them alike; a memory
 * scenario runs its targets one after another, alone, since peak RSS is a process's own and a fill of
 * the cache should not wait behind five other processes.
 */
import {
  BUDGETS_MIB,
  budgetTarget,
  FLOOR_ONE_ENTRY,
  FLOOR_REQUIRED_ONE_ENTRY,
  MEMORY_MISS,
  MEMORY_ZIPF,
  NO_CACHE,
} from "./goals.ts";
import type { LoadMode } from "./wrk.ts";
import { ZIPF_DISTINCT } from "./zipf.ts";

export type TargetKind =
  | "passthrough"
  | "floor"
  | "floor-elysia"
  | "floor-required"
  | "floor-product"
  | "gateway"
  | "gateway-binary"
  | "fastify"
  | "nginx";

export interface TargetSpec {
  /** The name in tables, goals and --targets. */
  name: string;
  kind: TargetKind;
  /** Settings on top of the bench's (the gateway's environment; floor-required's FLOOR_REQUIRED_OFF). */
  env?: Record<string, string>;
  /** A memory scenario fills this target's cache first (every distinct query once, then wrapping). */
  fill?: boolean;
  /** A floor's cache bound in entries (its default is the gateway's 10,000). */
  cacheEntries?: number;
}

export interface Scenario {
  name: string;
  /** Selects the scenario in --scenarios, like its name ("zipf", "memory"). */
  group?: string;
  kind: "speed" | "memory";
  connections: number;
  mode: LoadMode;
  /** The backends' added latency, ms. */
  latency: number;
  targets: TargetSpec[];
  /** The targets --goals keeps (the goals read no other). */
  goalTargets: string[] | "none";
  /** Runs only when --scenarios names it (a study, not part of the suite). */
  byNameOnly?: boolean;
}

const own = (...kinds: TargetKind[]): TargetSpec[] => kinds.map((kind) => ({ name: kind, kind }));
const CORE: TargetKind[] = ["passthrough", "floor", "gateway", "gateway-binary"];
/**
 * The floors of the fixed stack, beside the floor: Elysia; Elysia and the issue's every-request work;
 * that and the other issues' every-request work (bench/lib/floor-product.ts).
 */
const STACK_FLOORS: TargetKind[] = ["floor-elysia", "floor-required", "floor-product"];
const WITH_FLOORS: TargetKind[] = ["passthrough", "floor", ...STACK_FLOORS, "gateway", "gateway-binary"];

/** The memory goal's cache budgets: bytes the binding bound, entries as many as the mix has queries. */
const budgeted = (mib: number): TargetSpec => ({
  name: budgetTarget(mib),
  kind: "gateway",
  fill: true,
  env: {
    GATEWAY_CACHE_MAX_BYTES: String(mib * 1024 * 1024),
    GATEWAY_CACHE_MAX_ENTRIES: String(ZIPF_DISTINCT),
  },
});

export const SCENARIOS: Scenario[] = [
  {
    name: "miss",
    kind: "speed",
    connections: 32,
    mode: "miss",
    latency: 0,
    targets: own(...WITH_FLOORS),
    goalTargets: ["floor", ...STACK_FLOORS, "gateway", "gateway-binary"],
  },
  {
    name: "hit",
    kind: "speed",
    connections: 32,
    mode: "hit",
    latency: 0,
    targets: own(...WITH_FLOORS),
    goalTargets: ["floor", ...STACK_FLOORS, "gateway", "gateway-binary"],
  },
  {
    // floor-required with one piece of its every-request work off at a time: where its cost over
    // floor-elysia goes (docs/performance.md, "Floors of the fixed stack").
    name: "hit-floor-parts",
    kind: "speed",
    connections: 32,
    mode: "hit",
    latency: 0,
    targets: [
      ...own("floor-elysia", "floor-required"),
      ...["log", "hook", "limit", "headers"].map(
        (off): TargetSpec => ({
          name: `floor-required-no-${off}`,
          kind: "floor-required",
          env: { FLOOR_REQUIRED_OFF: off },
        }),
      ),
    ],
    goalTargets: "none",
    byNameOnly: true,
  },
  {
    name: "p99-256c-20ms",
    kind: "speed",
    connections: 256,
    mode: "miss",
    latency: 20,
    targets: own(...CORE),
    goalTargets: "none",
  },
  ...[64, 256].map(
    (connections): Scenario => ({
      name: `zipf-${connections}c`,
      group: "zipf",
      kind: "speed",
      connections,
      mode: "zipf",
      latency: 0,
      targets: own(...WITH_FLOORS, "fastify", "nginx"),
      goalTargets: ["passthrough", "floor", ...STACK_FLOORS, "gateway", "gateway-binary", "fastify"],
    }),
  ),
  {
    name: MEMORY_MISS,
    group: "memory",
    kind: "memory",
    connections: 256,
    mode: "miss",
    latency: 0,
    targets: [
      ...own("floor", "floor-required", "gateway"),
      // What RSS the required work costs without the cache's entries: the floors holding one answer,
      // and the gateway with its cache off.
      { name: FLOOR_ONE_ENTRY, kind: "floor", cacheEntries: 1 },
      { name: FLOOR_REQUIRED_ONE_ENTRY, kind: "floor-required", cacheEntries: 1 },
      { name: NO_CACHE, kind: "gateway", env: { GATEWAY_CACHE_TTL: "0" } },
    ],
    goalTargets: ["floor", "floor-required", "gateway", FLOOR_ONE_ENTRY, FLOOR_REQUIRED_ONE_ENTRY, NO_CACHE],
  },
  {
    name: MEMORY_ZIPF,
    group: "memory",
    kind: "memory",
    connections: 256,
    mode: "zipf",
    latency: 0,
    targets: [
      ...own("floor", "floor-required", "gateway"),
      // The baseline the budgets are measured from gets their load, fill included.
      { name: NO_CACHE, kind: "gateway", env: { GATEWAY_CACHE_TTL: "0" }, fill: true },
      ...BUDGETS_MIB.map(budgeted),
    ],
    goalTargets: ["floor", "floor-required", "gateway", NO_CACHE, ...BUDGETS_MIB.map(budgetTarget)],
  },
];

/** The scenarios and their targets after --scenarios, --targets, --goals and --no-binary. */
export function selectScenarios(options: {
  scenarios: string[] | undefined;
  targets: string[] | undefined;
  goals: boolean;
  noBinary: boolean;
}): Scenario[] {
  return SCENARIOS.filter(
    (s) => options.scenarios?.some((n) => n === s.name || n === s.group) ?? !s.byNameOnly,
  )
    .map((s) => ({
      ...s,
      targets: s.targets.filter(
        (t) =>
          (options.targets?.includes(t.name) ?? true) &&
          !(options.noBinary && t.kind === "gateway-binary") &&
          !(options.goals && (s.goalTargets === "none" || !s.goalTargets.includes(t.name))),
      ),
    }))
    .filter((s) => s.targets.length > 0);
}
