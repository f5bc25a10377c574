import { describe, expect, test } from "bun:test";
import { gcra } from "../../src/stores/gcra.ts";

/** Takes from one bucket `times` times at the same instant, carrying `tat` as a store would. */
function burst(times: number, now: number, limit: number, periodMs: number, tat?: number) {
  const states = [];
  let stored = tat;
  for (let i = 0; i < times; i++) {
    const result = gcra(stored, now, limit, periodMs);
    if (result.state.allowed) stored = result.tat;
    states.push(result);
  }
  return { states, tat: stored };
}

describe("gcra", () => {
  test("a fresh bucket grants a token and is full again one interval later", () => {
    const { state, tat } = gcra(undefined, 1_000, 10, 60_000);
    expect(state).toEqual({ allowed: true, remaining: 9, resetMs: 6_000, retryMs: 0 });
    expect(tat).toBe(7_000);
  });

  // The rounding slack grows with the limit; at 10^8 a minute it once made a fresh bucket report ~2.3e8
  // remaining, more than its whole quota, in the RateLimit header. Above ~10^6 a minute an interval is a
  // few ulps of a real clock, so the count is approximate there; it must still never exceed the quota.
  test("remaining never exceeds the quota less one, and counts down exactly for ordinary limits", () => {
    for (const limit of [3, 1_000, 1_000_000, 100_000_000, 1_000_000_000]) {
      const remaining = burst(3, 1_764_000_000_000, limit, 60_000).states.map((s) => s.state.remaining);
      for (const [i, r] of remaining.entries()) {
        expect(r).toBeLessThanOrEqual(limit - 1);
        if (i > 0) expect(r).toBeLessThanOrEqual(remaining[i - 1] ?? 0);
      }
      if (limit <= 1_000) expect(remaining).toEqual([limit - 1, limit - 2, limit - 3]);
    }
  });

  test("exactly `limit` at once are granted, counting down to 0, and the next is refused", () => {
    const { states } = burst(11, 0, 10, 60_000);
    expect(states.map((s) => s.state.allowed)).toEqual([...Array(10).fill(true), false]);
    expect(states.slice(0, 10).map((s) => s.state.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const refused = states[10]?.state;
    // Full again after the whole period; the next token after one interval.
    expect(refused).toEqual({ allowed: false, remaining: 0, resetMs: 60_000, retryMs: 6_000 });
  });

  /** The limits (1..1000 a minute) of which a burst of exactly `limit` at `now` is not granted in full. */
  function boundaryMisses(now: number): number[] {
    const wrong: number[] = [];
    for (let limit = 1; limit <= 1_000; limit++) {
      const { states } = burst(limit + 1, now, limit, 60_000);
      const granted = states.filter((s) => s.state.allowed).length;
      if (granted !== limit || states[limit - 1]?.state.remaining !== 0) wrong.push(limit);
    }
    return wrong;
  }

  test("the boundary holds for every limit whose interval is not a whole number of ms (small clock)", () => {
    // periodMs / limit in floats: without the epsilon some of these refuse the limit-th request.
    expect(boundaryMisses(1_000_000)).toEqual([]);
  });

  // At Date.now() magnitudes (~1.7e12 ms) one ulp is ~2.4e-4 ms: a fixed 1e-6 ms slack refused the
  // limit-th request of a burst for about half of all limits (9, 14, 17, ... a minute).
  test("the boundary holds at Date.now() magnitudes too", () => {
    expect(boundaryMisses(1_700_000_000_123)).toEqual([]);
  });

  test("a refusal leaves the stored tat as it was", () => {
    const { tat } = burst(3, 0, 3, 3_000);
    const refused = gcra(tat, 0, 3, 3_000);
    expect(refused.state.allowed).toBe(false);
    expect(refused.tat).toBe(tat as number);
  });

  test("tokens come back one interval at a time, never before", () => {
    const { tat } = burst(3, 0, 3, 3_000);
    expect(gcra(tat, 999, 3, 3_000).state.allowed).toBe(false);
    const next = gcra(tat, 1_000, 3, 3_000);
    expect(next.state).toEqual({ allowed: true, remaining: 0, resetMs: 3_000, retryMs: 0 });
    expect(gcra(next.tat, 1_000, 3, 3_000).state).toEqual({
      allowed: false,
      remaining: 0,
      resetMs: 3_000,
      retryMs: 1_000,
    });
  });

  test("an idle bucket saves up no more than `limit`", () => {
    const { tat } = burst(1, 0, 5, 5_000);
    // Long after the bucket was full again: the stale tat counts as now.
    const { states } = burst(6, 1_000_000, 5, 5_000, tat);
    expect(states.filter((s) => s.state.allowed)).toHaveLength(5);
    expect(states[0]?.state.remaining).toBe(4);
  });
});
