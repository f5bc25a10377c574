import { afterAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
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

describe("memory cache store bounds", () => {
  const bytesOf = (key: string, value: string) => Buffer.byteLength(key) + Buffer.byteLength(value);

  test("past maxEntries the least recently used goes first, and a get counts as a use", async () => {
    const store = new MemoryCacheStore(3, 1_000_000);
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

  test("overwriting an entry does not count it twice", async () => {
    const store = new MemoryCacheStore(2, 1_000_000);
    await store.set("a", "1", MINUTE);
    await store.set("b", "2", MINUTE);
    await store.set("a", "11", MINUTE);
    expect(store.size).toBe(2);
    expect(store.bytes).toBe(bytesOf("a", "11") + bytesOf("b", "2"));
    expect((await store.get("b"))?.value).toBe("2");
    store.close();
  });

  test("past maxBytes the least recently used go until the new entry fits; sizes are UTF-8 bytes", async () => {
    const value = "é".repeat(15); // 30 bytes in UTF-8, 15 UTF-16 code units
    expect(bytesOf("k1", value)).toBe(32);
    const store = new MemoryCacheStore(100, 100);
    for (const k of ["k1", "k2", "k3"]) await store.set(k, value, MINUTE);
    expect(store.bytes).toBe(96);
    await store.set("k4", value, MINUTE);
    expect(store.size).toBe(3);
    expect(store.bytes).toBe(96);
    expect(await store.get("k1")).toBeUndefined();
    // One big entry can push out several small ones.
    await store.set("big", "x".repeat(90), MINUTE);
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(93);
    expect((await store.get("big"))?.value).toHaveLength(90);
    store.close();
  });

  test("an entry larger than maxBytes is not stored, and evicts nothing", async () => {
    const store = new MemoryCacheStore(100, 50);
    await store.set("small", "s", MINUTE);
    await store.set("huge", "x".repeat(60), MINUTE);
    expect(await store.get("huge")).toBeUndefined();
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(bytesOf("small", "s"));
    expect((await store.get("small"))?.value).toBe("s");
    store.close();
  });

  test("delete gives its bytes back", async () => {
    const store = new MemoryCacheStore(100, 1000);
    await store.set("a", "12345", MINUTE);
    await store.delete("a");
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    store.close();
  });

  test("a flood of 10k distinct keys stays within maxEntries and maxBytes", async () => {
    const store = new MemoryCacheStore(1000, 50_000);
    let maxSize = 0;
    let maxBytes = 0;
    for (let i = 0; i < 10_000; i++) {
      await store.set(`flood:${i}`, "v".repeat(i % 200), MINUTE);
      maxSize = Math.max(maxSize, store.size);
      maxBytes = Math.max(maxBytes, store.bytes);
    }
    expect(maxSize).toBeLessThanOrEqual(1000);
    expect(maxBytes).toBeLessThanOrEqual(50_000);
    // The most recent keys are the ones kept.
    expect((await store.get("flood:9999"))?.value).toHaveLength(9999 % 200);
    expect(await store.get("flood:0")).toBeUndefined();
    store.close();
  });

  test("an expired entry is dropped when it is asked for", async () => {
    let now = 1_000_000;
    const store = new MemoryCacheStore(100, 10_000, () => now);
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
    const store = new MemoryCacheStore(100, 10_000, () => now, 10);
    for (let i = 0; i < 20; i++) await store.set(`old:${i}`, "x", 1000);
    await store.set("young", "y", MINUTE);
    now += 2000;
    // The sweep is a real timer (every 10 ms here): wait for it to run, however late a loaded machine is.
    while (store.size > 1) await Bun.sleep(5);
    expect(store.size).toBe(1);
    expect(store.bytes).toBe(bytesOf("young", "y"));
    store.close();
  });
});
