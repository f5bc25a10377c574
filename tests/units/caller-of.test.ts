import { expect, test } from "bun:test";
import { DEFAULT_PLANS } from "../../src/models/subscription.ts";
import type { User } from "../../src/models/user.ts";
import { AuthService } from "../../src/services/auth-service.ts";

// callerOf reads only the plan table; the other collaborators are not reached.
const auth = new AuthService(
  ...([
    undefined,
    undefined,
    undefined,
    DEFAULT_PLANS,
    undefined,
    undefined,
    undefined,
    undefined,
  ] as unknown as [never, never, never, typeof DEFAULT_PLANS, never, never, never, never]),
);
const user = (fields: Partial<User>): User => ({
  id: "u1",
  email: "u1@example.com",
  subscription: "premium",
  expires_at: null,
  ...fields,
});

test("a caller is reused for the same user record, and turns free the moment a premium expires", () => {
  const expires = Date.parse("2026-12-07T12:00:00Z");
  const premium = user({ expires_at: new Date(expires).toISOString() });
  const before = auth.callerOf(premium, expires - 1000);
  expect(before.plan).toBe("premium");
  expect(before.subscription.active).toBe(true);
  expect(auth.callerOf(premium, expires - 1)).toBe(before);
  const after = auth.callerOf(premium, expires);
  expect(after.plan).toBe("free");
  expect(after.limits).toBe(DEFAULT_PLANS.free);
  expect(after.subscription).toEqual({ plan: "premium", expires_at: premium.expires_at, active: false });
  expect(auth.callerOf(premium, expires + 86_400_000)).toBe(after);
});

test("a refreshed user record is read again, not answered from the old one's caller", () => {
  const free = user({ subscription: "free" });
  expect(auth.callerOf(free).plan).toBe("free");
  const upgraded = { ...free, subscription: "premium" as const };
  expect(auth.callerOf(upgraded).plan).toBe("premium");
  expect(auth.callerOf(upgraded).limits).toBe(DEFAULT_PLANS.premium);
});
