import { describe, expect, test } from "bun:test";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";

const MINUTE = 60_000;

describe("memory limit store eviction order", () => {
  test("past maxEntries the first written goes first; reads and updates do not count as a use", async () => {
    const now = 1_000_000;
    const store = new MemoryLimitStore(3, () => now);
    for (const key of ["a", "b", "c"]) await store.increment([key], MINUTE);
    // a is read and counted again: still the first written.
    await store.read(["a"]);
    await store.increment(["a"], MINUTE);
    await store.increment(["d"], MINUTE);
    expect(store.size).toBe(3);
    expect((await store.read(["a"]))[0]?.count).toBe(0);
    expect((await store.read(["b", "c", "d"])).map((window) => window.count)).toEqual([1, 1, 1]);
    store.close();
  });

  test("a bucket or counter written again after it expired counts as newly written", async () => {
    let now = 1_000_000;
    const store = new MemoryLimitStore(3, () => now);
    const bucket = (key: string) => ({ key: `bucket:${key}`, limit: 1_000_000, periodMs: MINUTE });
    const counter = (key: string, ttlMs: number) => ({ key, limit: 10, ttlMs, take: true });
    // One bucket shared by all, so the counters fill the other two slots: a (short-lived), then b.
    await store.decide(bucket("x"), counter("a", 1000));
    await store.decide(bucket("x"), counter("b", MINUTE));
    now += 2000;
    // x (refilled, so expired) and a are written again: b is now the first written.
    const again = await store.decide(bucket("x"), counter("a", MINUTE));
    expect(again.counter?.count).toBe(1);
    await store.increment(["c"], MINUTE);
    expect(store.size).toBe(3);
    expect((await store.read(["b"]))[0]?.count).toBe(0);
    expect((await store.read(["a", "c"])).map((window) => window.count)).toEqual([1, 1]);
    store.close();
  });

  test("a long run of new keys, updates and reads evicts in first-written order", async () => {
    const now = 1_000_000;
    const store = new MemoryLimitStore(100, () => now);
    const written: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const key = `k${i}`;
      await store.increment([key], MINUTE);
      written.push(key);
      if (i % 7 === 0 && i >= 3) await store.increment([`k${i - 3}`], MINUTE);
      if (i % 5 === 0) await store.read([`k${i - 1}`]);
    }
    const kept = written.slice(-100);
    expect(store.size).toBe(100);
    const counts = await store.read([...kept, written[written.length - 101] as string]);
    expect(counts.slice(0, -1).every((window) => window.count >= 1)).toBe(true);
    expect(counts.at(-1)?.count).toBe(0);
    store.close();
  });
});
