import { afterEach, describe, expect, test } from "bun:test";
import type { Caller } from "../../src/models/caller.ts";
import type { PlanTable } from "../../src/models/subscription.ts";
import { type LimitDecision, Limiter, usageOf } from "../../src/services/limiter.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";

const DAY_MS = 86_400_000;
const plans: PlanTable = {
  free: { maxResults: 20, maxCategories: 2, maxPages: 5, requestsPerMinute: 3, searchesPerDay: 2 },
  premium: { maxResults: 100, maxCategories: 10, maxPages: 5, requestsPerMinute: 5, searchesPerDay: null },
};

function caller(plan: "free" | "premium", id = "7d1c3f9e-0d7b-4a59-9b43-2c6a1f0e5b11"): Caller {
  return {
    user: { id, email: "someone@example.com", subscription: plan, expires_at: null },
    plan,
    limits: plans[plan],
    subscription: { plan, expires_at: null, active: true },
  };
}

// The store and the limiter read the same clock, as they do in the server (both Date.now).
let now = 10 * DAY_MS + 3_600_000;
let store: MemoryLimitStore;
function limiter(): Limiter {
  store = new MemoryLimitStore(1_000, () => now);
  return new Limiter(store, plans);
}
afterEach(() => store?.close());

/** The in-process store answers without a promise; a Promise here would be a regression on the hot path. */
function check(l: Limiter, who: Caller, kind: "request" | "search"): LimitDecision {
  const decision = l.check(who, kind, now);
  if (decision instanceof Promise) throw new Error("the in-process store must decide synchronously");
  return decision;
}

describe("Limiter with the in-process store", () => {
  test("a request takes a minute token and only reads the day quota", () => {
    now = 10 * DAY_MS + 3_600_000;
    const l = limiter();
    const decision = check(l, caller("free"), "request");
    expect(decision.allowed).toBe(true);
    expect(decision.violated).toEqual([]);
    expect(decision.countedKey).toBeUndefined();
    expect(decision.policies).toEqual([
      { name: "minute", quota: 3, windowSeconds: 60, remaining: 2, resetSeconds: 20 },
      { name: "day", quota: 2, windowSeconds: 86_400, remaining: 2, resetSeconds: 23 * 3600 },
    ]);
  });

  test("searches count against the UTC day until it is used up, then `day` is violated until midnight", () => {
    now = 10 * DAY_MS + 3_600_000;
    const l = limiter();
    const who = caller("free");
    const first = check(l, who, "search");
    expect(first.countedKey).toBe(`quota:${who.user.id}:10`);
    expect(first.policies[1]?.remaining).toBe(1);
    now += 20_000;
    expect(check(l, who, "search").policies[1]?.remaining).toBe(0);
    now += 20_000;
    const refused = check(l, who, "search");
    expect(refused.allowed).toBe(false);
    expect(refused.violated).toEqual(["day"]);
    expect(refused.countedKey).toBeUndefined();
    expect(refused.retryAfterSeconds).toBe(Math.ceil((11 * DAY_MS - now) / 1000));
    const problem = Limiter.refusal(refused);
    expect([problem.status, problem.code]).toEqual([429, "quota-exceeded"]);
    expect(problem.extensions).toEqual({ "violated-policies": ["day"] });
    expect(problem.headers["retry-after"]).toBe(String(refused.retryAfterSeconds));
    // A plain request is still allowed: the day quota is about searches.
    expect(check(l, who, "request").allowed).toBe(true);
  });

  test("a new UTC day is a new quota", () => {
    now = 10 * DAY_MS + DAY_MS - 60_000;
    const l = limiter();
    const who = caller("free");
    check(l, who, "search");
    check(l, who, "search");
    expect(check(l, who, "search").violated).toEqual(["day"]);
    now = 11 * DAY_MS + 1_000;
    const renewed = check(l, who, "search");
    expect(renewed.allowed).toBe(true);
    expect(renewed.countedKey).toBe(`quota:${who.user.id}:11`);
  });

  test("past the minute's tokens `minute` is violated, and the refused search is not counted", () => {
    now = 10 * DAY_MS;
    const l = limiter();
    const who = caller("free");
    for (let i = 0; i < 3; i++) expect(check(l, who, "request").allowed).toBe(true);
    const refused = check(l, who, "search");
    expect(refused.violated).toEqual(["minute"]);
    expect(refused.countedKey).toBeUndefined();
    // The next token is one interval (60 s / 3) away.
    expect(refused.retryAfterSeconds).toBe(20);
    expect(refused.policies[1]?.remaining).toBe(2);
    const problem = Limiter.refusal(refused);
    expect([problem.status, problem.code, problem.headers["retry-after"]]).toEqual([
      429,
      "rate-limited",
      "20",
    ]);
    now += 20_000;
    expect(check(l, who, "search").allowed).toBe(true);
  });

  test("release gives a counted search back; a decision that counted nothing releases nothing", async () => {
    now = 10 * DAY_MS;
    const l = limiter();
    const who = caller("free");
    const counted = check(l, who, "search");
    await l.release(counted);
    now += 20_000;
    const again = check(l, who, "search");
    expect(again.policies[1]?.remaining).toBe(1);
    await l.release(check(l, who, "request"));
    now += 20_000;
    expect(check(l, who, "request").policies[1]?.remaining).toBe(1);
  });

  test("callers do not share buckets or quotas", () => {
    now = 10 * DAY_MS;
    const l = limiter();
    const a = caller("free", "00000000-0000-4000-8000-00000000000a");
    const b = caller("free", "00000000-0000-4000-8000-00000000000b");
    for (let i = 0; i < 3; i++) check(l, a, "search");
    expect(check(l, a, "request").allowed).toBe(false);
    const other = check(l, b, "search");
    expect(other.allowed).toBe(true);
    expect(other.policies.map((p) => p.remaining)).toEqual([2, 1]);
  });

  test("an unlimited day quota has no `day` policy, and /profile shows it as nulls", () => {
    now = 10 * DAY_MS;
    const l = limiter();
    const decision = check(l, caller("premium"), "search");
    expect(decision.allowed).toBe(true);
    expect(decision.policies.map((p) => p.name)).toEqual(["minute"]);
    expect(decision.countedKey).toBeUndefined();
    expect(usageOf(decision)).toEqual({
      minute: { limit: 5, remaining: 4, reset_seconds: 12 },
      day: { limit: null, remaining: null, reset_seconds: null },
    });
  });
});
