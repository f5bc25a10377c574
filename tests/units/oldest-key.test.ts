import { describe, expect, test } from "bun:test";
import { OldestKey } from "../../src/core/oldest-key.ts";

describe("OldestKey", () => {
  test("gives keys oldest first, counting a re-insert as new", () => {
    const map = new Map<string, number>([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    const oldest = new OldestKey(map);
    map.delete("a");
    map.set("a", 1); // touched: now the newest
    const order: string[] = [];
    for (let key = oldest.next(); key !== undefined; key = oldest.next()) {
      order.push(key);
      map.delete(key);
    }
    expect(order).toEqual(["b", "c", "a"]);
  });

  test("starts again once the map was drained and refilled", () => {
    const map = new Map<number, number>();
    const oldest = new OldestKey(map);
    expect(oldest.next()).toBeUndefined();
    map.set(1, 1);
    map.set(2, 2);
    expect(oldest.next()).toBe(1);
    map.delete(1);
    expect(oldest.next()).toBe(2);
    map.delete(2);
    expect(oldest.next()).toBeUndefined();
    map.set(3, 3);
    expect(oldest.next()).toBe(3);
  });

  test("matches a fresh iterator over a long run of evictions and touches", () => {
    const map = new Map<number, number>();
    const oldest = new OldestKey(map);
    for (let i = 0; i < 5000; i++) {
      map.set(i, i);
      if (i % 7 === 0 && map.has(i - 3)) {
        map.delete(i - 3);
        map.set(i - 3, i - 3);
      }
      if (map.size > 100) {
        const expected = map.keys().next().value;
        const key = oldest.next();
        expect(key).toBe(expected as number);
        map.delete(key as number);
      }
    }
  });
});
