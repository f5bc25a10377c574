import { CPU_THRESHOLDS } from "./goals.ts";

/** What `bench/ab-trees.ts --json` writes: every block's CPU µs per request, per target. */
export interface PairedRun {
  mode: "hit" | "miss" | "zipf";
  connections: number;
  seconds: number;
  blocks: Record<string, number[]>;
}

export interface PairedGoal {
  goal: string;
  target: string;
  ratio: number;
  met: boolean;
}

/** References, not subjects: a goal is read for every other target (gateway trees, the named floors). */
const REFERENCES = new Set(["floor", "passthrough", "fastify"]);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** The median over blocks of `mine / reference` in the same block: the machine's drift cancels. */
export function pairedRatio(mine: number[], reference: number[]): number {
  return median(mine.map((us, block) => us / (reference[block] ?? Number.NaN)));
}

interface Reading {
  goal: string;
  reference: string;
  /** Per CPU-second is the reference's CPU over the subject's. */
  inverse: boolean;
  threshold: number;
}

function readings(mode: PairedRun["mode"]): Reading[] {
  if (mode === "hit")
    return [
      {
        goal: "hit CPU vs the floor",
        reference: "floor",
        inverse: false,
        threshold: CPU_THRESHOLDS.hitVsFloor,
      },
    ];
  if (mode === "miss")
    return [
      {
        goal: "miss CPU vs the floor",
        reference: "floor",
        inverse: false,
        threshold: CPU_THRESHOLDS.missVsFloor,
      },
    ];
  return [
    {
      goal: "Zipf CPU vs the passthrough",
      reference: "passthrough",
      inverse: false,
      threshold: CPU_THRESHOLDS.zipfVsPassthrough,
    },
    {
      goal: "Zipf per CPU-second vs Fastify",
      reference: "fastify",
      inverse: true,
      threshold: CPU_THRESHOLDS.perCpuVsFastify,
    },
  ];
}

/** Issue 15's CPU goals for every subject of one paired run, where the goal's reference ran. */
export function pairedGoals(run: PairedRun): PairedGoal[] {
  const out: PairedGoal[] = [];
  for (const reading of readings(run.mode)) {
    const reference = run.blocks[reading.reference];
    if (reference === undefined) continue;
    for (const [target, mine] of Object.entries(run.blocks)) {
      if (REFERENCES.has(target)) continue;
      const ratio = reading.inverse ? pairedRatio(reference, mine) : pairedRatio(mine, reference);
      const met = reading.inverse ? ratio >= reading.threshold - 1e-9 : ratio <= reading.threshold + 1e-9;
      out.push({
        goal: `${reading.goal} ${reading.inverse ? ">=" : "<="} ${reading.threshold}x`,
        target,
        ratio,
        met,
      });
    }
  }
  return out;
}
