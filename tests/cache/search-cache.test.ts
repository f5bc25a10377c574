import { describe, expect, test } from "bun:test";
import { SearchCache, type SharedAnswer } from "../../src/services/search-cache.ts";
import type { CacheEntry, CacheStore } from "../../src/stores/cache-store.ts";
import { MemoryCacheStore } from "../../src/stores/memory-cache-store.ts";
import { RedisCacheStore } from "../../src/stores/redis-cache-store.ts";
import { RedisConnection, RedisUnavailable } from "../../src/stores/redis-connection.ts";

const key = SearchCache.key;
const search = (query: string, categories: string[] = [], limit = 20) => ({ query, categories, limit });

function response(overrides: Partial<SharedAnswer> = {}): SharedAnswer {
  return {
    limit: 20,
    results: [
      {
        id: "p1",
        title: "iPhone 15",
        price: 799,
        currency: "EUR",
        url: "https://shop.example/p1",
        source: "shop",
      },
    ],
    sources: [{ name: "shop", ok: true, took_ms: 12 }],
    page: 1,
    next_cursor: null,
    ...overrides,
  };
}

/** Records every call; `fail` makes each one reject (or, with "throw", throw before returning). */
class RecordingStore implements CacheStore {
  calls: string[] = [];
  sets: { key: string; value: string; lifetimeMs: number }[] = [];
  entries = new Map<string, CacheEntry>();
  constructor(private readonly fail?: "reject" | "throw") {}

  #call(name: string): void {
    this.calls.push(name);
    if (this.fail === "throw") throw new Error(`store.${name} must not be called`);
    if (this.fail === "reject") throw new RedisUnavailable("Redis did not answer within 50 ms");
  }

  async get(k: string): Promise<CacheEntry | undefined> {
    this.#call("get");
    return this.entries.get(k);
  }
  async set(k: string, value: string, lifetimeMs: number): Promise<void> {
    this.#call("set");
    this.sets.push({ key: k, value, lifetimeMs });
    this.entries.set(k, { value, storedAt: Date.now() });
  }
  async delete(k: string): Promise<void> {
    this.#call("delete");
    this.entries.delete(k);
  }
  close(): void {
    this.#call("close");
  }
}

/** A store whose `get` throws synchronously, as a careless implementation might. */
const syncThrowing: CacheStore = {
  get: () => {
    throw new Error("sync");
  },
  set: () => {
    throw new Error("sync");
  },
  delete: async () => {},
  close: () => {},
};

describe("SearchCache.key", () => {
  test("is a short sha256 in base64url", () => {
    expect(key(search("x".repeat(1000)))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("ignores case, surrounding and repeated whitespace", () => {
    expect(key(search(" iPhone   15 "))).toBe(key(search("iphone 15")));
    expect(key(search("iphone\t\n 15"))).toBe(key(search("IPHONE 15")));
  });

  test("ignores Unicode composition: NFC and NFD of é are the same search", () => {
    const nfc = "caf\u00e9";
    const nfd = "cafe\u0301";
    expect(nfc).not.toBe(nfd);
    expect(key(search(nfd))).toBe(key(search(nfc)));
    expect(key(search("CAFE\u0301"))).toBe(key(search(nfc)));
  });

  test("ignores category order and repeats", () => {
    expect(key(search("tv", ["phones", "audio"]))).toBe(key(search("tv", ["audio", "phones"])));
    expect(key(search("tv", ["audio", "phones", "audio"]))).toBe(key(search("tv", ["phones", "audio"])));
  });

  test("tells apart different limits, categories and queries", () => {
    const base = key(search("tv", ["audio"], 20));
    expect(key(search("tv", ["audio"], 21))).not.toBe(base);
    expect(key(search("tv", ["video"], 20))).not.toBe(base);
    expect(key(search("tv", [], 20))).not.toBe(base);
    expect(key(search("tv", ["audio", "video"], 20))).not.toBe(base);
    expect(key(search("tvs", ["audio"], 20))).not.toBe(base);
  });

  test("parts cannot run into each other", () => {
    expect(key(search("a,b"))).not.toBe(key(search("a", ["b"])));
    expect(key(search("a", ["b,c"]))).not.toBe(key(search("a", ["b", "c"])));
    expect(key(search('a"', ["b"]))).not.toBe(key(search("a", ['"b'])));
    expect(key(search("tv 2", [], 0))).not.toBe(key(search("tv", [], 20)));
  });
});

describe("SearchCache lookup and save", () => {
  function setup(ttlMs = 1000, staleMs = 5000) {
    const clock = { now: 1_700_000_000_000 };
    const now = () => clock.now;
    const store = new MemoryCacheStore(100, 1_000_000, now);
    const cache = new SearchCache(store, { ttlMs, staleMs, clock: now });
    return { clock, store, cache };
  }

  test("fresh below the ttl, stale below ttl + stale window, then a miss", async () => {
    const { clock, store, cache } = setup();
    const k = key(search("iphone 15", ["phones"]));
    expect(await cache.lookup(k)).toBeUndefined();
    const text = await cache.save(k, response());
    expect(JSON.parse(text)).toEqual(response());
    const start = clock.now;
    const at = async (ageMs: number) => {
      clock.now = start + ageMs;
      return cache.lookup(k);
    };
    expect(await at(0)).toEqual({ state: "fresh", text, ageMs: 0 });
    expect(await at(999)).toMatchObject({ state: "fresh", ageMs: 999 });
    expect(await at(1000)).toMatchObject({ state: "stale", ageMs: 1000 });
    expect(await at(5999)).toEqual({ state: "stale", text, ageMs: 5999 });
    expect(await at(6000)).toBeUndefined();
    expect(store.size).toBe(0);
    store.close();
  });

  test("with no stale window an answer is fresh, then gone", async () => {
    const { clock, store, cache } = setup(1000, 0);
    await cache.save("k", response());
    clock.now += 999;
    expect((await cache.lookup("k"))?.state).toBe("fresh");
    clock.now += 1;
    expect(await cache.lookup("k")).toBeUndefined();
    store.close();
  });

  test("a text checked once is trusted while the store returns it, never once it changes", async () => {
    const store = new RecordingStore();
    const cache = new SearchCache(store, { ttlMs: 60_000, staleMs: 0 });
    const first = await cache.save("k", response({ limit: 1 }));
    expect((await cache.lookup("k"))?.text).toBe(first);
    expect((await cache.lookup("k"))?.text).toBe(first);
    const second = await cache.save("k", response({ limit: 2 }));
    expect((await cache.lookup("k"))?.text).toBe(second);
    // Whatever replaces a checked text in the store is checked again, not trusted by its key.
    await store.set("k", '{"limit":2,"results":"not a list"}', 60_000);
    expect(await cache.lookup("k")).toBeUndefined();
  });

  test("the store gets the serialized answer with lifetime ttl + stale window", async () => {
    const store = new RecordingStore();
    const cache = new SearchCache(store, { ttlMs: 30_000, staleMs: 300_000 });
    const value = response();
    const text = await cache.save("k", value);
    expect(text).toBe(JSON.stringify(value));
    expect(store.sets).toEqual([{ key: "k", value: text, lifetimeMs: 330_000 }]);
  });

  test("a partial answer (any source not ok) is not saved; complete ones are, with or without sources", async () => {
    const store = new RecordingStore();
    const cache = new SearchCache(store, { ttlMs: 1000, staleMs: 1000 });
    const partial = response({
      sources: [
        { name: "a", ok: true, took_ms: 5 },
        { name: "b", ok: false, took_ms: 3000 },
      ],
    });
    await cache.save("partial", partial);
    expect(store.sets).toHaveLength(0);
    expect(await cache.lookup("partial")).toBeUndefined();

    const { sources: _, ...withoutSources } = response();
    await cache.save("complete", response());
    await cache.save("no-sources", withoutSources);
    expect(store.sets.map((s) => s.key)).toEqual(["complete", "no-sources"]);
    expect(JSON.parse((await cache.lookup("no-sources"))?.text ?? "")).toEqual(withoutSources);
  });

  test("a stored value that is not a SearchResponse is a miss", async () => {
    const store = new RecordingStore();
    const cache = new SearchCache(store, { ttlMs: 1000, staleMs: 0 });
    for (const [k, value] of [
      ["garbage", "not json {"],
      ["truncated", JSON.stringify(response()).slice(0, 40)],
      ["null", "null"],
      ["number", "42"],
      ["no-results", JSON.stringify({ limit: 20 })],
      ["no-limit", JSON.stringify({ results: [] })],
      ["array", "[1]"],
    ]) {
      await store.set(k as string, value as string, 1000);
      expect(await cache.lookup(k as string)).toBeUndefined();
    }
  });

  test("an answer from the in-process store is served without a parse; a shared store's is checked", async () => {
    const memory = new MemoryCacheStore(1000, 16 * 1024 * 1024);
    const caches = [
      { name: "memory", cache: new SearchCache(memory, { ttlMs: 60_000, staleMs: 0 }) },
      { name: "shared", cache: new SearchCache(new RecordingStore(), { ttlMs: 60_000, staleMs: 0 }) },
    ];
    const parse = JSON.parse;
    const parsed: string[] = [];
    try {
      for (const { name, cache } of caches) {
        // More keys than the checked-text memo keeps, as on a skewed mix of many hot searches.
        for (let i = 0; i < 300; i++) await cache.save(`k${i}`, response({ limit: i + 1 }));
        JSON.parse = (text: string, ...rest: never[]) => {
          parsed.push(name);
          return parse(text, ...rest);
        };
        for (let i = 0; i < 300; i++) expect((await cache.lookup(`k${i}`))?.state).toBe("fresh");
        JSON.parse = parse;
      }
    } finally {
      JSON.parse = parse;
      memory.close();
    }
    expect(parsed.filter((n) => n === "memory")).toHaveLength(0);
    expect(parsed.filter((n) => n === "shared").length).toBeGreaterThanOrEqual(300 - 256);
  });

  test("ttl 0 disables caching: the store is never called", async () => {
    const store = new RecordingStore("throw");
    const errors: unknown[] = [];
    const cache = new SearchCache(store, { ttlMs: 0, staleMs: 60_000, onError: (e) => errors.push(e) });
    expect(cache.enabled).toBe(false);
    await cache.save("k", response());
    expect(await cache.lookup("k")).toBeUndefined();
    expect(store.calls).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("a failing store is a miss, reported through onError, never a failure", async () => {
    const store = new RecordingStore("reject");
    const errors: unknown[] = [];
    const cache = new SearchCache(store, { ttlMs: 1000, staleMs: 1000, onError: (e) => errors.push(e) });
    expect(await cache.lookup("k")).toBeUndefined();
    await cache.save("k", response());
    expect(store.calls).toEqual(["get", "set"]);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toBeInstanceOf(RedisUnavailable);
  });

  test("a store that throws synchronously, or an onError that throws, still fails nothing", async () => {
    const quiet = new SearchCache(syncThrowing, { ttlMs: 1000, staleMs: 0 });
    expect(await quiet.lookup("k")).toBeUndefined();
    await quiet.save("k", response());
    const loud = new SearchCache(syncThrowing, {
      ttlMs: 1000,
      staleMs: 0,
      onError: () => {
        throw new Error("logger broke");
      },
    });
    expect(await loud.lookup("k")).toBeUndefined();
    await loud.save("k", response());
  });

  test("an unreachable Redis is a miss reported as RedisUnavailable", async () => {
    const store = new RedisCacheStore(new RedisConnection("redis://127.0.0.1:1", 300), "x:");
    const errors: unknown[] = [];
    const cache = new SearchCache(store, { ttlMs: 1000, staleMs: 0, onError: (e) => errors.push(e) });
    expect(await cache.lookup("k")).toBeUndefined();
    await cache.save("k", response());
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeInstanceOf(RedisUnavailable);
    store.close();
  });

  test("negative or non-finite durations are refused at construction", () => {
    const store = new RecordingStore();
    expect(() => new SearchCache(store, { ttlMs: -1, staleMs: 0 })).toThrow(RangeError);
    expect(() => new SearchCache(store, { ttlMs: 1000, staleMs: Number.NaN })).toThrow(RangeError);
    expect(() => new SearchCache(store, { ttlMs: Number.POSITIVE_INFINITY, staleMs: 0 })).toThrow(RangeError);
  });
});

describe("SearchCache.coalesce", () => {
  const cache = () => new SearchCache(new RecordingStore("throw"), { ttlMs: 0, staleMs: 0 });

  function deferred<T>() {
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  test("100 concurrent calls with one key share one load and all get its result", async () => {
    const c = cache();
    const gate = deferred<SharedAnswer>();
    let loads = 0;
    const load = () => {
      loads++;
      return gate.promise;
    };
    const calls = Array.from({ length: 100 }, () => c.coalesce("k", load));
    expect(loads).toBe(1);
    expect(c.inflight).toBe(1);
    const value = response();
    gate.resolve(value);
    const results = await Promise.all(calls);
    expect(loads).toBe(1);
    expect(results).toHaveLength(100);
    for (const result of results) expect(result).toBe(value);
    expect(c.inflight).toBe(0);
  });

  test("different keys load separately", async () => {
    const c = cache();
    let loads = 0;
    const load = async () => ++loads;
    const results = await Promise.all([c.coalesce("a", load), c.coalesce("b", load), c.coalesce("a", load)]);
    expect(loads).toBe(2);
    expect(results[0]).toBe(results[2] as number);
    expect(results[1]).not.toBe(results[0] as number);
  });

  test("a failed load rejects every waiter and is not remembered: the next call loads again", async () => {
    const c = cache();
    const gate = deferred<string>();
    let loads = 0;
    const calls = Array.from({ length: 10 }, () =>
      c.coalesce("k", () => {
        loads++;
        return gate.promise;
      }),
    );
    const failure = new Error("Aggregator down");
    gate.reject(failure);
    const settled = await Promise.allSettled(calls);
    expect(loads).toBe(1);
    for (const outcome of settled) expect(outcome).toEqual({ status: "rejected", reason: failure });
    expect(c.inflight).toBe(0);

    const again = await c.coalesce("k", async () => {
      loads++;
      return "ok";
    });
    expect(again).toBe("ok");
    expect(loads).toBe(2);
    expect(c.inflight).toBe(0);
  });

  test("a load that throws synchronously becomes a rejection and frees the key", async () => {
    const c = cache();
    const call = c.coalesce("k", () => {
      throw new Error("sync");
    });
    await expect(call).rejects.toThrow("sync");
    expect(c.inflight).toBe(0);
  });
});
