import { expect, test } from "bun:test";
import { pairedGoals, pairedRatio } from "../../bench/lib/paired.ts";

test("a paired ratio is the median of the per-block ratios, so a block's drift falls on both targets", () => {
  // The machine halves its speed in block 2: both targets slow down, the ratio holds.
  expect(pairedRatio([12, 24, 12], [10, 20, 10])).toBeCloseTo(1.2, 9);
  // The median of the block ratios, not the ratio of the medians: 1.0, 2.0, 1.1 -> 1.1.
  expect(pairedRatio([10, 40, 11], [10, 20, 10])).toBeCloseTo(1.1, 9);
});

test("each mode reads its goals for every subject, against the goal's own reference", () => {
  const zipf = pairedGoals({
    mode: "zipf",
    connections: 64,
    seconds: 2,
    blocks: {
      ".": [60, 120, 60],
      passthrough: [40, 80, 40],
      fastify: [140, 280, 140],
      "floor-product": [50, 100, 50],
      floor: [30, 60, 30],
    },
  });
  const row = (goal: string, target: string) =>
    zipf.find((r) => r.goal.startsWith(goal) && r.target === target);
  // At the threshold is met.
  expect(row("Zipf CPU vs the passthrough", ".")?.ratio).toBeCloseTo(1.5, 9);
  expect(row("Zipf CPU vs the passthrough", ".")?.met).toBe(true);
  // Per CPU-second is the reference's CPU over the subject's: 140 / 60.
  expect(row("Zipf per CPU-second vs Fastify", ".")?.ratio).toBeCloseTo(140 / 60, 9);
  expect(row("Zipf per CPU-second vs Fastify", ".")?.met).toBe(false);
  expect(row("Zipf per CPU-second vs Fastify", "floor-product")).toMatchObject({ ratio: 2.8, met: true });
  expect(row("Zipf CPU vs the passthrough", "floor-product")).toMatchObject({ ratio: 1.25, met: true });
  // References are not subjects.
  expect(zipf.map((r) => r.target).sort()).toEqual([".", ".", "floor-product", "floor-product"]);

  const miss = pairedGoals({
    mode: "miss",
    connections: 32,
    seconds: 1,
    blocks: { ".": [140], floor: [100] },
  });
  expect(miss).toEqual([{ goal: "miss CPU vs the floor <= 1.3x", target: ".", ratio: 1.4, met: false }]);
  // Without its reference a goal is not read at all.
  expect(pairedGoals({ mode: "hit", connections: 32, seconds: 1, blocks: { ".": [20] } })).toEqual([]);
});
