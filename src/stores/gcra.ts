import type { BucketState } from "./limit-store.ts";

// Float arithmetic on ms: the boundary case (exactly `limit` requests at once) must not be refused by rounding.
// At Date.now() magnitudes one ulp is ~2.4e-4 ms and a burst adds up to `limit` roundings, so the slack
// scales with both; at small clocks it stays a fixed 1e-6 ms.
const slackMs = (tat: number, limit: number) => 1e-6 + Math.abs(tat) * Number.EPSILON * 2 * (limit + 1);

/**
 * GCRA, the token bucket in one number: `tat` is when the bucket would be full again. A burst of `limit`
 * requests is allowed, then one every `period / limit` ms; there is no window edge to double up on.
 * The Redis script in redis-limit-store.ts is this same function in Lua.
 */
export function gcra(
  storedTat: number | undefined,
  now: number,
  limit: number,
  periodMs: number,
): { state: BucketState; tat: number } {
  const interval = periodMs / limit;
  const tat = Math.max(storedTat ?? now, now);
  const next = tat + interval;
  const slack = slackMs(next, limit);
  if (next - now <= periodMs + slack) {
    // The slack grows with the limit (about 75 ms at 10^8 a minute, thousands of intervals), so without the
    // cap a large quota reported more remaining than it has: at most `limit - 1` after this request.
    const remaining = Math.min(limit - 1, Math.floor((periodMs - (next - now) + slack) / interval));
    return { state: { allowed: true, remaining, resetMs: next - now, retryMs: 0 }, tat: next };
  }
  return { state: { allowed: false, remaining: 0, resetMs: tat - now, retryMs: next - periodMs - now }, tat };
}
