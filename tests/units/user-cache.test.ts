import { describe, expect, test } from "bun:test";
import type { User } from "../../src/models/user.ts";
import { UserCache } from "../../src/services/user-cache.ts";

const MINUTE = 60_000;
const user = (id: string): User => ({
  id,
  email: `${id}@example.com`,
  subscription: "free",
  expires_at: null,
});
const load = async (id: string) => user(id);

describe("user cache bounds", () => {
  test("past maxEntries the least recently stored goes first; a hit does not count as a use", async () => {
    const cache = new UserCache(MINUTE, 0, 2);
    await cache.get("a", load);
    await cache.get("b", load);
    expect(cache.fresh("a")?.id).toBe("a");
    await cache.get("a", load); // a hit: a stays the least recently stored
    await cache.get("c", load);
    expect(cache.size).toBe(2);
    expect(cache.fresh("a")).toBeUndefined();
    expect(cache.fresh("b")?.id).toBe("b");
    expect(cache.fresh("c")?.id).toBe("c");
  });

  test("a record stored again after its TTL counts as new", async () => {
    const cache = new UserCache(MINUTE, 0, 2);
    await cache.get("a", load);
    await cache.get("b", load);
    // Seen as expired, so a is loaded and stored again: now b is the least recently stored.
    await cache.get("a", load, Date.now() + 2 * MINUTE);
    await cache.get("c", load);
    expect(cache.fresh("b")).toBeUndefined();
    expect(cache.fresh("a")?.id).toBe("a");
    expect(cache.fresh("c")?.id).toBe("c");
  });
});
