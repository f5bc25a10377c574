/**
 * Issue 15's CPU goals read from `bench/ab-trees.ts --json` files, paired by block (bench/lib/paired.ts):
 * each ratio is the median over blocks of two targets' CPU per request in the same block, so the
 * machine's drift (20-40% over tens of seconds here) cancels, which separate rounds do not.
 *
 *   bun bench/paired-goals.ts <ab-trees.json>...
 */
import { type PairedRun, pairedGoals } from "./lib/paired.ts";

for (const path of process.argv.slice(2)) {
  const run = (await Bun.file(path).json()) as PairedRun;
  const blocks = Object.values(run.blocks)[0]?.length ?? 0;
  console.log(`${path}: ${run.mode}, ${run.connections} connections, ${blocks} blocks of ${run.seconds} s`);
  for (const { goal, target, ratio, met } of pairedGoals(run)) {
    console.log(`  ${goal.padEnd(40)} ${target.padEnd(16)} ${ratio.toFixed(2)}x  ${met ? "met" : "not met"}`);
  }
}
