import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEMO_USERS,
  hashPassword,
  openUsersDb,
  seedDemoUsers,
  type UsersDb,
  verifyPassword,
} from "../../src/reference/users/index.ts";

const DAY_MS = 86_400_000;
const opened: UsersDb[] = [];
const dirs: string[] = [];

function open(path = ":memory:"): UsersDb {
  const db = openUsersDb(path);
  opened.push(db);
  return db;
}

function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "reference-users-"));
  dirs.push(dir);
  return join(dir, "nested", "users.sqlite");
}

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("users database", () => {
  test("creates the parent directory and uses WAL for files", () => {
    const path = tempDbPath();
    const db = open(path);
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(db.count()).toBe(0);
  });

  test("emails are unique regardless of case", async () => {
    const db = open();
    const passwordHash = await hashPassword("pw");
    const user = {
      id: crypto.randomUUID(),
      email: "a@example.com",
      subscription: "free",
      expires_at: null,
    } as const;
    expect(db.insertIfAbsent({ ...user, passwordHash })).toBe(true);
    expect(
      db.insertIfAbsent({ ...user, id: crypto.randomUUID(), email: "A@EXAMPLE.COM", passwordHash }),
    ).toBe(false);
    expect(db.findByEmail("A@Example.Com")?.user.id).toBe(user.id);
    expect(db.count()).toBe(1);
  });

  test("the subscription column only takes known plans", () => {
    const db = open();
    const bad = { id: crypto.randomUUID(), email: "b@example.com", expires_at: null, passwordHash: "x" };
    expect(() => db.insertIfAbsent({ ...bad, subscription: "gold" as "free" })).toThrow();
  });
});

describe("demo seed", () => {
  test("inserts the three demo users with their fixed ids and working passwords", async () => {
    const db = open();
    const now = Date.now();
    expect(await seedDemoUsers(db, now)).toBe(3);
    for (const demo of DEMO_USERS) {
      const stored = db.findByEmail(demo.email);
      expect(stored?.user.id).toBe(demo.id);
      expect(stored?.user.subscription).toBe(demo.subscription);
      expect(await verifyPassword(demo.password, stored?.passwordHash ?? null)).toBe(true);
      expect(stored?.passwordHash).not.toContain(demo.password);
    }
    const expiryOf = (email: string) => Date.parse(db.findByEmail(email)?.user.expires_at ?? "");
    expect(expiryOf("premium@example.com")).toBe(now + 365 * DAY_MS);
    expect(expiryOf("expired@example.com")).toBe(now - DAY_MS);
    expect(expiryOf("expired@example.com")).toBeLessThan(Date.now());
    expect(db.findByEmail("free@example.com")?.user.expires_at).toBeNull();
  });

  test("is idempotent across restarts and re-applies expiry relative to the new start", async () => {
    const path = tempDbPath();
    const first = open(path);
    const longAgo = Date.now() - 1000 * DAY_MS;
    await seedDemoUsers(first, longAgo);
    const hashBefore = first.findByEmail("premium@example.com")?.passwordHash;
    const other = { id: crypto.randomUUID(), email: "someone@example.com", subscription: "premium" } as const;
    const otherExpiry = new Date(longAgo).toISOString();
    first.insertIfAbsent({ ...other, expires_at: otherExpiry, passwordHash: await hashPassword("x") });
    first.close();

    const second = open(path);
    const now = Date.now();
    expect(await seedDemoUsers(second, now)).toBe(0);
    expect(second.count()).toBe(4);
    const premium = second.findByEmail("premium@example.com");
    expect(premium?.passwordHash).toBe(hashBefore ?? "");
    expect(Date.parse(premium?.user.expires_at ?? "")).toBe(now + 365 * DAY_MS);
    // Not a demo user: left exactly as it was.
    expect(second.findById(other.id)?.user.expires_at).toBe(otherExpiry);
  });
});
