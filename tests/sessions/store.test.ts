import { afterAll, describe, expect, test } from "bun:test";
import { randomUUID } from "node:crypto";
import { MemorySessionStore } from "../../src/stores/memory-session-store.ts";
import { RedisConnection } from "../../src/stores/redis-connection.ts";
import { RedisSessionStore } from "../../src/stores/redis-session-store.ts";
import type { Session, SessionStore } from "../../src/stores/session-store.ts";
import { redisMissing, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.ts";

/** One suite, both stores: whatever the in-process store promises, the Redis one must too. */
const stores: { name: string; make: () => SessionStore; skip: boolean }[] = [
  { name: "memory", make: () => new MemorySessionStore(), skip: false },
  {
    name: "redis",
    make: () => {
      const connection = new RedisConnection(TEST_REDIS_URL, 1000);
      const store = new RedisSessionStore(connection, uniquePrefix());
      store.close = () => connection.close();
      return store;
    },
    skip: redisMissing,
  },
];

const HOUR = 3_600_000;

function newSession(userId = randomUUID()): Session {
  const now = Date.now();
  return { sid: randomUUID(), userId, startedAt: now, endsAt: now + 24 * HOUR };
}

const rotation = (nextHash: string, graceMs = 10_000) => ({
  nextHash,
  sealedAnswer: `answer-for-${nextHash}`,
  ttlMs: HOUR,
  graceMs,
});

for (const { name, make, skip } of stores) {
  describe.skipIf(skip)(`${name} session store`, () => {
    const store = make();
    afterAll(() => store.close());
    const hash = () => `h-${randomUUID()}`;

    test("a created session is found by its token, which is current", async () => {
      const session = newSession();
      const first = hash();
      await store.create(session, first, HOUR);
      expect(await store.find(first)).toEqual({ session, current: true });
      expect(await store.find(hash())).toBeUndefined();
      expect(await store.sessionsOf(session.userId)).toEqual([session.sid]);
    });

    test("rotation replaces the current token; the old one is then the grace retry once, then reuse ends the family", async () => {
      const session = newSession();
      const [first, second] = [hash(), hash()];
      await store.create(session, first, HOUR);
      expect(await store.redeem(session, first, rotation(second))).toEqual({ outcome: "rotated" });
      expect(await store.find(second)).toEqual({ session, current: true });
      expect(await store.find(first)).toEqual({ session, current: false });
      expect(await store.redeem(session, first)).toEqual({
        outcome: "grace",
        sealedAnswer: `answer-for-${second}`,
      });
      expect(await store.redeem(session, first)).toEqual({ outcome: "reused" });
      // The family is gone: its current token too.
      expect(await store.find(second)).toBeUndefined();
      expect(await store.redeem(session, second, rotation(hash()))).toEqual({ outcome: "unknown" });
      expect(await store.sessionsOf(session.userId)).toEqual([]);
    });

    test("without a grace window, the old token's first reuse ends the family", async () => {
      const session = newSession();
      const [first, second] = [hash(), hash()];
      await store.create(session, first, HOUR);
      await store.redeem(session, first, rotation(second, 0));
      expect(await store.redeem(session, first)).toEqual({ outcome: "reused" });
      expect(await store.find(second)).toBeUndefined();
    });

    test("a token two rotations old is reuse even inside the grace window", async () => {
      const session = newSession();
      const [first, second, third] = [hash(), hash(), hash()];
      await store.create(session, first, HOUR);
      await store.redeem(session, first, rotation(second));
      await store.redeem(session, second, rotation(third));
      expect(await store.redeem(session, first)).toEqual({ outcome: "reused" });
    });

    test("of 20 concurrent rotations of one token one wins, one gets the grace answer, one ends the family", async () => {
      const session = newSession();
      const first = hash();
      await store.create(session, first, HOUR);
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => store.redeem(session, first, rotation(hash()))),
      );
      const counts = new Map<string, number>();
      for (const o of outcomes) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
      expect(counts.get("rotated")).toBe(1);
      expect(counts.get("grace")).toBe(1);
      expect(counts.get("reused")).toBe(1);
      // The family ended with that reuse; the rest find no session at all.
      expect(counts.get("unknown")).toBe(17);
    });

    test("remove ends a session and says which it was; a second remove finds nothing", async () => {
      const userId = randomUUID();
      const [a, b] = [newSession(userId), newSession(userId)];
      const [ha, hb] = [hash(), hash()];
      await store.create(a, ha, HOUR);
      await store.create(b, hb, HOUR);
      expect((await store.sessionsOf(userId)).sort()).toEqual([a.sid, b.sid].sort());
      expect(await store.remove(a.sid)).toEqual(a);
      expect(await store.remove(a.sid)).toBeUndefined();
      expect(await store.find(ha)).toBeUndefined();
      expect(await store.find(hb)).toEqual({ session: b, current: true });
      expect(await store.sessionsOf(userId)).toEqual([b.sid]);
    });

    test("a session is gone once its lifetime has passed", async () => {
      const session = newSession();
      const first = hash();
      await store.create(session, first, 100);
      await Bun.sleep(250);
      expect(await store.find(first)).toBeUndefined();
      expect(await store.redeem(session, first, rotation(hash()))).toEqual({ outcome: "unknown" });
    });
  });
}
