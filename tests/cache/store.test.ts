import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { ENTRY_OVERHEAD, entryCharge } from "../../src/stores/cache-charge.ts";
import { CACHE_ADMISSIONS } from "../../src/stores/cache-policy.ts";
import type { CacheStore } from "../../src/stores/cache-store.ts";
import { MemoryCacheStore } from "../../src/stores/memory-cache-store.ts";
import { RedisCacheStore } from "../../src/stores/redis-cache-store.ts";
import { RedisConnection, RedisUnavailable } from "../../src/stores/redis-connection.ts";
import { FakeClock } from "../helpers/clock.ts";
import { redisMissing, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.ts";

// Stores do not own their (shared) connection, so the test closes the ones it opened.
const connections: RedisConnection[] = [];
function connect(url: string, timeoutMs: number): RedisConnection {
  const connection = new RedisConnection(url, timeoutMs);
  connections.push(connection);
  return connection;
}
afterAll(() => {
  for (const connection of connections) connection.close();
});

/**
 * One suite, both stores: whatever the in-process store promises, the Redis one must too. Each says how
 * time passes for it: the in-process store's clock is a fake one, advanced at once; Redis expires keys
 * on its own clock, so for it real time is the subject and the test sleeps.
 */
const redisPrefix = uniquePrefix();
const memoryClock = new FakeClock();
const stores: {
  name: string;
  make: () => CacheStore;
  skip: boolean;
  now: () => number;
  pass: (ms: number) => Promise<void>;
}[] = [
  {
    name: "memory",
    make: () => new MemoryCacheStore(1000, 1_000_000, memoryClock.now),
    skip: false,
    now: memoryClock.now,
    pass: async (ms) => memoryClock.advance(ms),
  },
  {
    name: "redis",
    make: () => new RedisCacheStore(connect(TEST_REDIS_URL, 1000), redisPrefix),
    skip: redisMissing,
    now: Date.now,
    pass: (ms) => Bun.sleep(ms),
  },
];

const MINUTE = 60_000;

for (const { name, make, skip, now, pass } of stores) {
  describe.skipIf(skip)(`${name} cache store`, () => {
    const store = make();
    afterAll(() => store.close());
    let n = 0;
    const key = (what: string) => `${what}:${++n}`;

    test("an absent key is a miss", async () => {
      expect(await store.get(key("absent"))).toBeUndefined();
    });

    test("set then get gives the value back, stamped with when it was stored", async () => {
      const k = key("roundtrip");
      // A colon (the Redis store's separator) and multi-byte characters must survive intact.
      const value = JSON.stringify({ q: "a:b:c", text: "café 🙂", n: [1, 2, 3] });
      const before = now();
      await store.set(k, value, MINUTE);
      const entry = await store.get(k);
      const after = now();
      expect(entry?.value).toBe(value);
      expect(entry?.storedAt).toBeGreaterThanOrEqual(before - 2);
      expect(entry?.storedAt).toBeLessThanOrEqual(after + 2);
    });

    test("an entry is gone once its lifetime has passed", async () => {
      const [short, long] = [key("short"), key("long")];
      await store.set(short, "s", 100);
      await store.set(long, "l", MINUTE);
      expect((await store.get(short))?.value).toBe("s");
      await pass(150);
      expect(await store.get(short)).toBeUndefined();
      expect((await store.get(long))?.value).toBe("l");
    });

    test("a lifetime of 0 stores nothing and removes what was there", async () => {
      const k = key("zero");
      await store.set(k, "old", MINUTE);
      await store.set(k, "new", 0);
      expect(await store.get(k)).toBeUndefined();
    });

    test("delete removes one key; deleting an absent key is fine", async () => {
      const [a, b] = [key("del"), key("del")];
      await store.set(a, "a", MINUTE);
      await store.set(b, "b", MINUTE);
      await store.delete(a);
      await store.delete(key("never-set"));
      expect(await store.get(a)).toBeUndefined();
      expect((await store.get(b))?.value).toBe("b");
    });

    test("set overwrites value, storedAt and lifetime", async () => {
      const k = key("over");
      await store.set(k, "first", MINUTE);
      const first = await store.get(k);
      await pass(20);
      await store.set(k, "second", 100);
      const second = await store.get(k);
      expect(second?.value).toBe("second");
      expect(second?.storedAt).toBeGreaterThan(first?.storedAt ?? Number.POSITIVE_INFINITY);
      await pass(150);
      expect(await store.get(k)).toBeUndefined();
    });
  });
}

describe.skipIf(redisMissing)("redis cache store specifics", () => {
  const raw = new RedisClient(TEST_REDIS_URL);
  const stores: RedisCacheStore[] = [];
  const make = (prefix: string) => {
    const store = new RedisCacheStore(connect(TEST_REDIS_URL, 1000), prefix);
    stores.push(store);
    return store;
  };
  afterAll(() => {
    for (const store of stores) store.close();
    raw.close();
  });

  test('keys are `prefix + "cache:" + key`, with the lifetime as their Redis expiry', async () => {
    const prefix = uniquePrefix();
    await make(prefix).set("k", "v", 5000);
    expect(await raw.get(`${prefix}cache:k`)).toMatch(/^\d{13}:v$/);
    const pttl = Number(await raw.send("PTTL", [`${prefix}cache:k`]));
    expect(pttl).toBeGreaterThan(4000);
    expect(pttl).toBeLessThanOrEqual(5000);
  });

  test("stores with different prefixes do not see each other's entries", async () => {
    const [a, b] = [make(uniquePrefix()), make(uniquePrefix())];
    await a.set("same", "a", MINUTE);
    expect(await b.get("same")).toBeUndefined();
  });

  test("a value not in the store's format is a miss, not an error", async () => {
    const prefix = uniquePrefix();
    await raw.send("SET", [`${prefix}cache:foreign`, "no timestamp here", "PX", "5000"]);
    expect(await make(prefix).get("foreign")).toBeUndefined();
  });
});

describe("redis cache store failures", () => {
  test("an unreachable Redis rejects with RedisUnavailable (the caller decides what a miss is)", async () => {
    // Port 1 on localhost: nothing listens, the connection is refused at once.
    const store = new RedisCacheStore(connect("redis://127.0.0.1:1", 300), "x:");
    await expect(store.get("k")).rejects.toBeInstanceOf(RedisUnavailable);
    await expect(store.set("k", "v", 1000)).rejects.toBeInstanceOf(RedisUnavailable);
    await expect(store.delete("k")).rejects.toBeInstanceOf(RedisUnavailable);
    store.close();
  });
});

// Admission is a policy under pressure: the shared suite above never fills its store, so what it holds
// for both stores is that a value is kept while there is room. What a full memory store keeps is below.
for (const admission of CACHE_ADMISSIONS) {
  describe(`memory cache store bounds (${admission})`, () => {
    const make = (maxEntries: number, maxBytes: number, clock?: () => number, sweepMs?: number) =>
      new MemoryCacheStore(maxEntries, maxBytes, clock, {
        admission,
        seed: 1,
        ...(sweepMs ? { sweepMs } : {}),
      });

    test("overwriting an entry does not count it twice", async () => {
      const store = make(2, 1_000_000);
      await store.set("a", "1", MINUTE);
      await store.set("b", "2", MINUTE);
      await store.set("a", "11", MINUTE);
      expect(store.size).toBe(2);
      expect(store.bytes).toBe(entryCharge("a", "11") + entryCharge("b", "2"));
      expect((await store.get("b"))?.value).toBe("2");
      expect((await store.get("a"))?.value).toBe("11");
      store.close();
    });

    test("an entry is charged its strings' heap size plus a fixed overhead", async () => {
      const store = make(10, 1_000_000);
      await store.set("ascii", "x".repeat(100), MINUTE);
      expect(store.bytes).toBe(5 + 100 + ENTRY_OVERHEAD);
      // Not ASCII: JSC may hold it as UTF-16, 2 bytes a char, whatever its UTF-8 length (30 here).
      await store.delete("ascii");
      await store.set("k", "é".repeat(15), MINUTE);
      expect(store.bytes).toBe(1 + 30 + ENTRY_OVERHEAD);
      await store.set("k", "🙂".repeat(10), MINUTE); // 20 UTF-16 units
      expect(store.bytes).toBe(1 + 40 + ENTRY_OVERHEAD);
      store.close();
    });

    test("an entry larger than maxBytes is not stored, and evicts nothing", async () => {
      const maxBytes = entryCharge("small", "s") + ENTRY_OVERHEAD + 50;
      const store = make(100, maxBytes);
      await store.set("small", "s", MINUTE);
      await store.set("huge", "x".repeat(maxBytes), MINUTE);
      expect(await store.get("huge")).toBeUndefined();
      expect(store.size).toBe(1);
      expect(store.bytes).toBe(entryCharge("small", "s"));
      expect((await store.get("small"))?.value).toBe("s");
      store.close();
    });

    test("an oversized value still drops the key's old one", async () => {
      const store = make(100, 2 * ENTRY_OVERHEAD);
      await store.set("k", "old", MINUTE);
      await store.set("k", "x".repeat(2 * ENTRY_OVERHEAD), MINUTE);
      expect(await store.get("k")).toBeUndefined();
      expect(store.bytes).toBe(0);
      store.close();
    });

    test("delete gives its bytes back", async () => {
      const store = make(100, 10_000);
      await store.set("a", "12345", MINUTE);
      await store.delete("a");
      expect(store.size).toBe(0);
      expect(store.bytes).toBe(0);
      store.close();
    });

    test("a flood of distinct keys and sizes never exceeds maxEntries or maxBytes", async () => {
      const maxBytes = 60 * ENTRY_OVERHEAD;
      const store = make(100, maxBytes);
      let maxSize = 0;
      let maxHeld = 0;
      for (let i = 0; i < 10_000; i++) {
        const k = `flood:${i % 3000}`; // some come back, so the main cache is contested, not just filled
        store.get(k);
        // Up to 5 overheads each, some not ASCII: one entry can need several victims gone.
        store.set(k, (i % 7 === 0 ? "é" : "v").repeat((i * 37) % (4 * ENTRY_OVERHEAD)), MINUTE);
        maxSize = Math.max(maxSize, store.size);
        maxHeld = Math.max(maxHeld, store.bytes);
      }
      expect(maxSize).toBeLessThanOrEqual(100);
      expect(maxHeld).toBeLessThanOrEqual(maxBytes);
      // The bounds were reached (so they were what held it back), and what is counted is what is held.
      expect(maxHeld).toBeGreaterThan(maxBytes - 5 * ENTRY_OVERHEAD);
      let counted = 0;
      for (let i = 0; i < 3000; i++) {
        const k = `flood:${i}`;
        const entry = store.get(k);
        if (entry) counted += entryCharge(k, entry.value);
      }
      expect(counted).toBe(store.bytes);
      store.close();
    });

    test("an expired entry is dropped when it is asked for", async () => {
      let now = 1_000_000;
      const store = make(100, 10_000, () => now);
      await store.set("a", "1", 1000);
      expect((await store.get("a"))?.storedAt).toBe(1_000_000);
      now += 999;
      expect(await store.get("a")).toBeDefined();
      now += 1;
      expect(await store.get("a")).toBeUndefined();
      expect(store.size).toBe(0);
      expect(store.bytes).toBe(0);
      store.close();
    });

    test("the periodic sweep drops expired entries nobody asks for", async () => {
      let now = 1_000_000;
      const store = make(100, 100_000, () => now, 10);
      for (let i = 0; i < 20; i++) await store.set(`old:${i}`, "x", 1000);
      await store.set("young", "y", MINUTE);
      now += 2000;
      // The sweep is a real timer (every 10 ms here): wait for it to run, however late a loaded machine is.
      while (store.size > 1) await Bun.sleep(5);
      expect(store.size).toBe(1);
      expect(store.bytes).toBe(entryCharge("young", "y"));
      store.close();
    });
  });
}

describe("memory cache store, lru", () => {
  test("past maxEntries the least recently used goes first, and a get counts as a use", async () => {
    const store = new MemoryCacheStore(3, 1_000_000, undefined, { admission: "lru" });
    await store.set("a", "1", MINUTE);
    await store.set("b", "2", MINUTE);
    await store.set("c", "3", MINUTE);
    await store.get("a"); // now b is the least recently used
    await store.set("d", "4", MINUTE);
    expect(store.size).toBe(3);
    expect(await store.get("b")).toBeUndefined();
    // Using c, a, d in that order leaves c the least recently used.
    expect((await store.get("c"))?.value).toBe("3");
    expect((await store.get("a"))?.value).toBe("1");
    expect((await store.get("d"))?.value).toBe("4");
    await store.set("e", "5", MINUTE);
    expect(await store.get("c")).toBeUndefined();
    expect((await store.get("a"))?.value).toBe("1");
    store.close();
  });

  test("past maxBytes the least recently used go until the new entry fits", async () => {
    const each = entryCharge("k1", "v");
    const store = new MemoryCacheStore(100, 3 * each, undefined, { admission: "lru" });
    for (const k of ["k1", "k2", "k3", "k4"]) await store.set(k, "v", MINUTE);
    expect(store.size).toBe(3);
    expect(store.bytes).toBe(3 * each);
    expect(await store.get("k1")).toBeUndefined();
    // One big entry can push out several small ones.
    const big = "x".repeat(3 * each - entryCharge("big", ""));
    expect(entryCharge("big", big)).toBe(3 * each);
    await store.set("big", big, MINUTE);
    expect(store.size).toBe(1);
    expect((await store.get("big"))?.value).toBe(big);
    store.close();
  });
});

/**
 * The gateway asks before it stores (a lookup, then a save on a miss), so these do the same: each `get`
 * is a use the admission filter counts, hit or miss. Sizes are entries: 100, so the window holds 1.
 */
describe("memory cache store, tinylfu admission", () => {
  const make = () => new MemoryCacheStore(100, 10_000_000, undefined, { admission: "tinylfu", seed: 7 });
  const ask = (store: MemoryCacheStore, k: string) => {
    if (store.get(k) === undefined) store.set(k, `answer of ${k}`, MINUTE);
  };
  /** A full store whose every entry has been asked for `uses` times. */
  const filled = (uses: number) => {
    const store = make();
    for (let use = 0; use < uses; use++) for (let i = 0; i < 100; i++) ask(store, `kept:${i}`);
    expect(store.size).toBe(100);
    return store;
  };
  const kept = (store: MemoryCacheStore) =>
    Array.from({ length: 100 }, (_, i) => `kept:${i}`).filter((k) => store.get(k) !== undefined).length;

  test("while there is room everything is kept, a one-off key too", () => {
    const store = make();
    for (let i = 0; i < 100; i++) store.set(`once:${i}`, "v", MINUTE);
    expect(store.size).toBe(100);
    expect(store.get("once:0")?.value).toBe("v");
    store.close();
  });

  test("a one-off key is not admitted over a frequent victim; the newest stays in the window meanwhile", () => {
    const store = filled(3);
    ask(store, "one-off");
    // Just written, it is the window's: a second ask right away finds it.
    expect(store.get("one-off")?.value).toBe("answer of one-off");
    ask(store, "another"); // pushes "one-off" out of the window: it loses to probation's victim
    expect(store.get("one-off")).toBeUndefined();
    expect(store.size).toBe(100);
    store.close();
  });

  test("a frequent key is admitted, and the victim it beat is gone", () => {
    const store = filled(2);
    // The window's occupant goes into the contest first; a fresh one-off (which loses) takes its place.
    ask(store, "filler");
    const before = kept(store);
    // Asked for five times while absent (each a miss the filter counts), it beats a thrice-asked victim.
    for (let i = 0; i < 5; i++) store.get("frequent");
    store.set("frequent", "f", MINUTE);
    ask(store, "next"); // moves "frequent" out of the window, into the contest
    expect(store.get("frequent")?.value).toBe("f");
    expect(store.get("filler")).toBeUndefined();
    expect(before - kept(store)).toBe(1);
    expect(store.size).toBe(100);
    store.close();
  });

  test("a hot key survives a scan of one-off keys that plain LRU loses it to", () => {
    for (const admission of ["tinylfu", "lru"] as const) {
      const store = new MemoryCacheStore(100, 10_000_000, undefined, { admission, seed: 7 });
      for (let i = 0; i < 100; i++) ask(store, `warm:${i}`);
      for (let i = 0; i < 10; i++) ask(store, "hot");
      for (let i = 0; i < 1000; i++) ask(store, `scan:${i}`);
      expect([admission, store.get("hot")?.value]).toEqual([
        admission,
        admission === "tinylfu" ? "answer of hot" : undefined,
      ]);
      store.close();
    }
  });

  test("a scan leaves the main cache as it was: one-off keys only pass through the window", () => {
    const store = filled(3);
    // Within one sample period (ten uses per entry): longer, and unused entries fade (next test).
    for (let i = 0; i < 500; i++) ask(store, `scan:${i}`);
    // All but the one whose place in the window the newest scan key now holds.
    expect(kept(store)).toBe(99);
    expect(store.get("scan:499")).toBeDefined();
    store.close();
  });

  test("popularity fades: after the sample period a new favourite displaces the old ones", () => {
    // Each old entry is asked for often enough to saturate its counters (15), so without the halving a
    // newcomer could at best tie with it, and ties keep the victim.
    const store = filled(9);
    // Ten uses per entry the cache holds is one sample period; each halving lowers the old counts.
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 50; i++) ask(store, `new:${i}`);
    }
    const fresh = Array.from({ length: 50 }, (_, i) => `new:${i}`).filter((k) => store.get(k) !== undefined);
    expect(fresh.length).toBeGreaterThan(40);
    store.close();
  });
});
