import { afterAll, describe, expect, test } from "bun:test";
import type { LimitStore } from "../../src/stores/limit-store.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";
import { RedisConnection } from "../../src/stores/redis-connection.ts";
import { RedisLimitStore } from "../../src/stores/redis-limit-store.ts";
import { FakeClock } from "../helpers/clock.ts";
import { redisMissing, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.ts";

/**
 * One suite, both stores: whatever the in-process store promises, the Redis one must too. Each says how
 * time passes for it: the in-process store's clock is a fake one, advanced at once; the Redis store
 * decides by Redis TIME and key expiry, so for it real time is the subject and the test sleeps.
 */
const memoryClock = new FakeClock();
const stores: { name: string; make: () => LimitStore; skip: boolean; pass: (ms: number) => Promise<void> }[] =
  [
    {
      name: "memory",
      make: () => new MemoryLimitStore(undefined, memoryClock.now),
      skip: false,
      pass: async (ms) => memoryClock.advance(ms),
    },
    {
      name: "redis",
      make: () => {
        const connection = new RedisConnection(TEST_REDIS_URL, 1000);
        const store = new RedisLimitStore(connection, uniquePrefix());
        store.close = () => connection.close();
        return store;
      },
      skip: redisMissing,
      pass: (ms) => Bun.sleep(ms),
    },
  ];

const MINUTE = 60_000;

for (const { name, make, skip, pass } of stores) {
  describe.skipIf(skip)(`${name} limit store`, () => {
    const store = make();
    afterAll(() => store.close());
    let n = 0;
    const key = (what: string) => `${what}:${++n}`;

    test("a bucket allows `limit` at once, counting down, then refuses with the wait for one token", async () => {
      const bucket = { key: key("b"), limit: 5, periodMs: MINUTE };
      const remaining: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { bucket: state } = await store.decide(bucket);
        expect(state.allowed).toBe(true);
        remaining.push(state.remaining);
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
      const refused = (await store.decide(bucket)).bucket;
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.retryMs).toBeGreaterThan(11_000);
      expect(refused.retryMs).toBeLessThanOrEqual(12_000);
      expect(refused.resetMs).toBeGreaterThan(59_000);
    });

    // Real clocks (Date.now(), Redis TIME) are ~1.7e12 ms, where float rounding once refused the last
    // request of a full burst for about half of all limits.
    test("a full burst is allowed for awkward limits at real clock values", async () => {
      for (const limit of [9, 14, 17, 33, 299]) {
        // A day's period: no token comes back while the burst runs, however slowly a loaded machine
        // (and Redis TIME, which real time moves) gets through it.
        const bucket = { key: key(`burst${limit}`), limit, periodMs: 24 * 60 * MINUTE };
        let allowed = 0;
        for (let i = 0; i <= limit; i++) if ((await store.decide(bucket)).bucket.allowed) allowed++;
        expect(allowed).toBe(limit);
      }
    });

    test("a huge quota reports at most its size less one as remaining (RateLimit's r)", async () => {
      const bucket = { key: key("huge"), limit: 100_000_000, periodMs: MINUTE };
      const first = (await store.decide(bucket)).bucket;
      expect(first.allowed).toBe(true);
      expect(first.remaining).toBeLessThanOrEqual(bucket.limit - 1);
      expect(first.remaining).toBeGreaterThan(bucket.limit - 1_000);
    });

    test("tokens come back evenly over the period (no window edge)", async () => {
      // Wide margins: a loaded CI machine may oversleep by hundreds of ms, which must not add a second token.
      const bucket = { key: key("refill"), limit: 4, periodMs: 2000 };
      for (let i = 0; i < 4; i++) expect((await store.decide(bucket)).bucket.allowed).toBe(true);
      expect((await store.decide(bucket)).bucket.allowed).toBe(false);
      await pass(600); // a little over one interval of 500 ms
      expect((await store.decide(bucket)).bucket.allowed).toBe(true);
      expect((await store.decide(bucket)).bucket.allowed).toBe(false);
    });

    test("100 concurrent decisions against a limit of 30 admit exactly 30", async () => {
      const bucket = { key: key("race"), limit: 30, periodMs: MINUTE };
      const results = await Promise.all(Array.from({ length: 100 }, () => store.decide(bucket)));
      expect(results.filter((r) => r.bucket.allowed).length).toBe(30);
    });

    test("a counter counts only when taking and only while the bucket allows; release gives one back", async () => {
      const bucket = { key: key("qb"), limit: 100, periodMs: MINUTE };
      const counter = { key: key("q"), limit: 2, ttlMs: 10_000, take: true };
      const peek = { ...counter, take: false };
      expect((await store.decide(bucket, peek)).counter).toMatchObject({ allowed: true, count: 0 });
      expect((await store.decide(bucket, counter)).counter).toMatchObject({ allowed: true, count: 1 });
      expect((await store.decide(bucket, counter)).counter).toMatchObject({ allowed: true, count: 2 });
      const over = (await store.decide(bucket, counter)).counter;
      expect(over).toMatchObject({ allowed: false, count: 2 });
      expect(over?.resetMs).toBeGreaterThan(9_000);
      expect(over?.resetMs).toBeLessThanOrEqual(10_000);
      await store.release(counter.key);
      expect((await store.decide(bucket, peek)).counter?.count).toBe(1);

      const tiny = { key: key("tiny"), limit: 1, periodMs: MINUTE };
      const counted = { key: key("q2"), limit: 10, ttlMs: 10_000, take: true };
      await store.decide(tiny, counted);
      const refused = await store.decide(tiny, counted);
      expect(refused.bucket.allowed).toBe(false);
      expect(refused.counter?.count).toBe(1);
    });

    test("concurrent takes never pass the counter's limit", async () => {
      const bucket = { key: key("cb"), limit: 1000, periodMs: MINUTE };
      const counter = { key: key("cq"), limit: 7, ttlMs: 10_000, take: true };
      const results = await Promise.all(Array.from({ length: 50 }, () => store.decide(bucket, counter)));
      expect(results.filter((r) => r.counter?.allowed).length).toBe(7);
    });

    test("window counters: increment, read, expire, remove", async () => {
      const [a, b] = [key("w"), key("w")];
      expect(await store.read([a, b])).toEqual([
        { count: 0, resetMs: 0 },
        { count: 0, resetMs: 0 },
      ]);
      await store.increment([a, b], 300);
      const [first] = await store.increment([a], 300);
      expect(first?.count).toBe(2);
      expect(first?.resetMs).toBeLessThanOrEqual(300);
      expect((await store.read([a, b])).map((w) => w.count)).toEqual([2, 1]);
      await store.remove(b);
      expect((await store.read([b]))[0]?.count).toBe(0);
      await pass(350);
      expect((await store.read([a]))[0]?.count).toBe(0);
    });

    test("each unit restarts a counter's life, so its age tells the time since the latest unit", async () => {
      const c = key("w");
      await store.increment([c], 400);
      await pass(250);
      const [second] = await store.increment([c], 400);
      expect(second).toEqual({ count: 2, resetMs: expect.any(Number) });
      expect(second?.resetMs).toBeGreaterThan(300);
      await pass(250);
      // 500 ms after the first unit, 250 ms after the latest: still alive.
      expect((await store.read([c]))[0]?.count).toBe(2);
    });
  });
}

describe("memory store bounds", () => {
  test("a flood of distinct keys cannot grow it past maxEntries", async () => {
    const store = new MemoryLimitStore(1000);
    for (let i = 0; i < 10_000; i++) await store.decide({ key: `flood:${i}`, limit: 10, periodMs: MINUTE });
    expect(store.size).toBeLessThanOrEqual(1000);
    store.close();
  });

  test("expired entries are dropped", async () => {
    let now = 1_000_000;
    const store = new MemoryLimitStore(100, () => now);
    for (let i = 0; i < 50; i++) await store.increment([`gone:${i}`], 1000);
    now += 2000;
    for (let i = 0; i < 60; i++) await store.decide({ key: `new:${i}`, limit: 10, periodMs: 100 });
    expect(store.size).toBeLessThanOrEqual(100);
    expect((await store.read(["gone:1"]))[0]?.count).toBe(0);
    store.close();
  });
});
