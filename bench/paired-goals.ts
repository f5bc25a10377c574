/**
 * The CPU goals of issue 15 read from `bench/ab-trees.ts --json` files, paired by block: each ratio is
 * the median over blocks of one target's CPU per request over its reference's in the same block, so
 * the machine's drift (20-40% over tens of seconds here) cancels, which separate rounds do not.
 *
 *   bun bench/paired-goals.ts <ab-trees.json>...
 *
 * A goal is read wherever its two targets ran; "." and any other tree name are gateway builds.
 */
export {};

interface Run {
  mode: string;
  connections: number;
  seconds: number;
  blocks: Record<string, number[]>;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const paired = (mine: number[], reference: number[]) =>
  median(mine.map((us, i) => us / (reference[i] ?? NaN)));

// Each goal: its reference target, whether the ratio is mine/reference or reference/mine, the threshold.
const GOALS: Record<string, { reference: string; inverse: boolean; threshold: number; at: string }> = {
  hit: { reference: "floor", inverse: false, threshold: 1.5, at: "hit CPU vs the floor <= 1.5x" },
  miss: { reference: "floor", inverse: false, threshold: 1.3, at: "miss CPU vs the floor <= 1.3x" },
  zipf: {
    reference: "passthrough",
    inverse: false,
    threshold: 1.5,
    at: "Zipf CPU vs the passthrough <= 1.5x",
  },
};
const FASTIFY = {
  reference: "fastify",
  inverse: true,
  threshold: 2.5,
  at: "Zipf per CPU-second vs Fastify >= 2.5x",
};

for (const path of process.argv.slice(2)) {
  const run = (await Bun.file(path).json()) as Run;
  const goals = [GOALS[run.mode], ...(run.mode === "zipf" ? [FASTIFY] : [])];
  const blocks = Object.values(run.blocks)[0]?.length ?? 0;
  console.log(`${path}: ${run.mode}, ${run.connections} connections, ${blocks} blocks of ${run.seconds} s`);
  for (const goal of goals) {
    if (!goal) continue;
    const reference = run.blocks[goal.reference];
    if (!reference) continue;
    for (const [name, mine] of Object.entries(run.blocks)) {
      if (name === goal.reference || name === "passthrough" || name === "fastify" || name === "floor")
        continue;
      const ratio = goal.inverse ? paired(reference, mine) : paired(mine, reference);
      const met = goal.inverse ? ratio >= goal.threshold : ratio <= goal.threshold;
      console.log(
        `  ${goal.at.padEnd(40)} ${name.padEnd(16)} ${ratio.toFixed(2)}x  ${met ? "met" : "not met"}`,
      );
    }
  }
}
