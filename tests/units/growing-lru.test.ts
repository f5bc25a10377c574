import { describe, expect, test } from "bun:test";
import { FIRST_SLOTS, GrowingLru } from "../../src/core/growing-lru.ts";
import type { User } from "../../src/models/user.ts";
import { UserCache } from "../../src/services/user-cache.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";

const keys = (map: GrowingLru<string, number>) => {
  const seen: string[] = [];
  map.forEach((_, key) => {
    seen.push(key);
  });
  return seen;
};

describe("GrowingLru", () => {
  test("allocates its first slots, not its bound, and grows by four as it fills, never past the bound", () => {
    const map = new GrowingLru<string, number>(100_000);
    expect(map.slots).toBe(FIRST_SLOTS);
    for (let i = 0; i < FIRST_SLOTS; i++) map.set(`k${i}`, i);
    expect(map.slots).toBe(FIRST_SLOTS);
    map.set("one more", 0);
    expect(map.slots).toBe(FIRST_SLOTS * 4);
    for (let i = 0; i < 100_000; i++) map.set(`n${i}`, i);
    expect(map.slots).toBe(100_000);
    expect(map.size).toBe(100_000);
  });

  test("overwriting a present key in a full first allocation does not grow it", () => {
    const map = new GrowingLru<string, number>(100, 4);
    for (const key of ["a", "b", "c", "d"]) map.set(key, 1);
    map.set("b", 2);
    expect(map.slots).toBe(4);
    expect(map.peek("b")).toBe(2);
  });

  test("growing keeps the order: the oldest written (or least recently got) still goes first at the bound", () => {
    const map = new GrowingLru<string, number>(10, 2);
    for (let i = 0; i < 6; i++) map.set(`k${i}`, i); // grows 2 -> 8 on the third
    map.get("k0"); // a use: k0 moves to the recent end
    map.peek("k1"); // not a use
    for (let i = 6; i < 12; i++) map.set(`k${i}`, i); // grows 8 -> 10, then evicts two
    expect(map.slots).toBe(10);
    expect(map.size).toBe(10);
    expect(map.peek("k1")).toBeUndefined();
    expect(map.peek("k2")).toBeUndefined();
    expect(map.peek("k0")).toBe(0);
    expect(keys(map)).toEqual(["k11", "k10", "k9", "k8", "k7", "k6", "k0", "k5", "k4", "k3"]);
  });

  test("a bound of 0 keeps the entry just written, as the maps it replaced did", () => {
    const map = new GrowingLru<string, number>(0);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.size).toBe(1);
    expect(map.peek("b")).toBe(2);
  });

  test("clear drops every entry and goes back to the first slots", () => {
    const map = new GrowingLru<string, number>(100, 4);
    for (let i = 0; i < 20; i++) map.set(`k${i}`, i);
    map.clear();
    expect(map.size).toBe(0);
    expect(map.slots).toBe(4);
  });

  test("the walk may delete the entry it is on", () => {
    const map = new GrowingLru<string, number>(100, 4);
    for (let i = 0; i < 10; i++) map.set(`k${i}`, i);
    map.forEach((value, key) => {
      if (value % 2 === 0) map.delete(key);
    });
    expect(keys(map)).toEqual(["k9", "k7", "k5", "k3", "k1"]);
  });
});

describe("the services' bounded maps grow past their first slots", () => {
  test("the memory limit store holds more buckets than its first slots, and its bound still holds", () => {
    const store = new MemoryLimitStore(FIRST_SLOTS * 2, () => 1_000);
    try {
      for (let i = 0; i < FIRST_SLOTS * 3; i++) store.decide({ key: `b${i}`, limit: 10, periodMs: 60_000 });
      expect(store.size).toBe(FIRST_SLOTS * 2);
    } finally {
      store.close();
    }
  });

  test("the user cache holds more users than its first slots", async () => {
    const cache = new UserCache(60_000, 0, FIRST_SLOTS * 2);
    const load = async (id: string): Promise<User> => ({
      id,
      email: `${id}@example.com`,
      subscription: "free",
      expires_at: null,
    });
    for (let i = 0; i < FIRST_SLOTS + 10; i++) await cache.get(`u${i}`, load);
    expect(cache.size).toBe(FIRST_SLOTS + 10);
    expect(cache.fresh("u0")?.id).toBe("u0");
  });
});
