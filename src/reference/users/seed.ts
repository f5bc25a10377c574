import type { SubscriptionName } from "../../models/user.ts";
import type { UsersDb } from "./db.ts";
import { hashPassword } from "./passwords.ts";

export interface DemoUser {
  id: string;
  email: string;
  password: string;
  subscription: SubscriptionName;
  description: string;
}

const DAY_MS = 86_400_000;

// Fixed ids so tokens the gateway issued before a restart still name the same demo user.
export const DEMO_USERS = [
  {
    id: "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70",
    email: "premium@example.com",
    password: "premium-pass",
    subscription: "premium",
    description: "premium subscription, expires 365 days after the service starts",
  },
  {
    id: "2a9d6f13-8e4b-4c7a-a5d1-3b0e9c7f2d58",
    email: "free@example.com",
    password: "free-pass",
    subscription: "free",
    description: "free plan, never expires",
  },
  {
    id: "e5b83c47-1a6f-4d9e-8c2b-7f4a0d3e1b96",
    email: "expired@example.com",
    password: "expired-pass",
    subscription: "premium",
    description: "premium subscription that expired one day before the service started (counts as free)",
  },
] as const satisfies readonly DemoUser[];
export type DemoUserId = (typeof DEMO_USERS)[number]["id"];

// Days from "now" to expiry; null = never. Kept apart from DEMO_USERS so that stays what a startup
// banner prints.
const EXPIRES_IN_DAYS: Readonly<Record<DemoUserId, number | null>> = {
  "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70": 365,
  "2a9d6f13-8e4b-4c7a-a5d1-3b0e9c7f2d58": null,
  "e5b83c47-1a6f-4d9e-8c2b-7f4a0d3e1b96": -1,
};

export function demoExpiry(user: (typeof DEMO_USERS)[number], now: number): string | null {
  const days = EXPIRES_IN_DAYS[user.id];
  return days === null ? null : new Date(now + days * DAY_MS).toISOString();
}

/**
 * Inserts the demo users whose email is absent, then re-applies every demo user's subscription and
 * expiry relative to `now`. The re-apply is deliberate: with a persistent database "expires in a year"
 * and "expired yesterday" would otherwise drift. Passwords of existing rows and all other users are
 * left alone. Returns how many rows were inserted.
 */
export async function seedDemoUsers(db: UsersDb, now: number = Date.now()): Promise<number> {
  const missing = DEMO_USERS.filter((demo) => db.findByEmail(demo.email) === null);
  // argon2 runs off the JS thread, so hashing the missing ones concurrently shortens startup.
  const rows = await Promise.all(
    missing.map(async (demo) => ({
      id: demo.id,
      email: demo.email,
      subscription: demo.subscription,
      expires_at: demoExpiry(demo, now),
      passwordHash: await hashPassword(demo.password),
    })),
  );
  const inserted = rows.filter((row) => db.insertIfAbsent(row)).length;
  for (const demo of DEMO_USERS) {
    db.setSubscription(demo.id, demo.email, demo.subscription, demoExpiry(demo, now));
  }
  return inserted;
}
