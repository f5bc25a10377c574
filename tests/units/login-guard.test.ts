import { describe, expect, test } from "bun:test";
import { RateLimited } from "../../src/core/errors.ts";
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from "../../src/models/subscription.ts";
import { LoginGuard } from "../../src/services/login-guard.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";

/** The guard's rules on the in-process store with a hand-moved clock. */
function guardWith(limits: Partial<LoginLimits> = {}) {
  const clock = { now: 1_000_000 };
  const store = new MemoryLimitStore(100_000, () => clock.now);
  const guard = new LoginGuard(store, {
    ...DEFAULT_LOGIN_LIMITS,
    maxFailures: 3,
    backoffSeconds: 1,
    maxBackoffSeconds: 4,
    attemptsPerMinutePerAddress: 1000,
    attemptsPerMinutePerAccount: 1000,
    ...limits,
  });
  const fail = async (ip: string, email: string) => guard.failed(await guard.check(ip, email));
  return { clock, store, guard, fail };
}

async function refusal(promise: Promise<unknown>): Promise<RateLimited> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RateLimited) return error;
    throw error;
  }
  throw new Error("expected a 429");
}

const EMAIL = "victim@example.com";

describe("login guard: the per-account ceiling", () => {
  test("after maxFailures from anywhere, every address waits 1, 2, 4 s (capped) after the latest failure", async () => {
    const { clock, guard, fail } = guardWith();
    for (const ip of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) await fail(ip, EMAIL);
    const first = await refusal(guard.check("10.9.9.9", EMAIL));
    expect(first.headers["retry-after"]).toBe("1");
    expect(first.message).toContain("this account");
    clock.now += 1000;
    await fail("10.0.0.4", EMAIL);
    clock.now += 1999;
    expect((await refusal(guard.check("10.0.0.5", EMAIL))).headers["retry-after"]).toBe("1");
    clock.now += 1;
    await fail("10.0.0.5", EMAIL);
    clock.now += 3999;
    await refusal(guard.check("10.0.0.6", EMAIL));
    clock.now += 1;
    await fail("10.0.0.6", EMAIL);
    // Capped at maxBackoffSeconds: the 7th failure waits 4 s, not 8.
    clock.now += 4000;
    await guard.check("10.0.0.7", EMAIL);
  });

  test("a success resets the account (so the owner is not punished later), not the address", async () => {
    const { clock, guard, fail } = guardWith();
    for (let i = 0; i < 3; i++) await fail("10.1.0.1", EMAIL);
    clock.now += 1000;
    await guard.succeeded(await guard.check("10.1.0.2", EMAIL));
    // The account starts over: two more failures and still no wait...
    await fail("10.1.0.2", EMAIL);
    await fail("10.1.0.3", EMAIL);
    await guard.check("10.1.0.4", EMAIL);
    // ...while the address kept its 3: one more failure from it and it waits 2 s, for any account.
    await fail("10.1.0.1", "other@example.com");
    const refused = await refusal(guard.check("10.1.0.1", "third@example.com"));
    expect(refused.message).toContain("this address");
    expect(refused.headers["retry-after"]).toBe("2");
  });

  test("concurrent attempts cannot all pass one read: exactly maxFailures, then one per wait", async () => {
    const { clock, guard } = guardWith();
    const burst = () =>
      Promise.allSettled(Array.from({ length: 20 }, (_, i) => guard.check(`10.2.0.${i}`, EMAIL)));
    const admitted = (await burst()).flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(admitted.length).toBe(3);
    for (const attempt of admitted) await guard.failed(attempt);
    clock.now += 60_000;
    const next = (await burst()).filter((r) => r.status === "fulfilled");
    expect(next.length).toBe(1);
  });

  test("an attempt without a verdict (Users failed, no slot) gives its charge back", async () => {
    const { guard } = guardWith();
    for (let i = 0; i < 10; i++) await guard.abandoned(await guard.check("10.3.0.1", EMAIL));
    await guard.check("10.3.0.1", EMAIL);
  });
});

describe("login guard: addresses", () => {
  test("IPv6 addresses count per /64; IPv4-mapped IPv6 is the IPv4 address", async () => {
    const { guard, fail } = guardWith();
    await fail("2001:db8:1:2::1", "a@example.com");
    await fail("2001:db8:1:2:aaaa::2", "b@example.com");
    await fail("2001:db8:1:2:ffff:ffff:ffff:ffff", "c@example.com");
    expect((await refusal(guard.check("2001:db8:1:2::99", "d@example.com"))).message).toContain("address");
    await guard.check("2001:db8:1:3::1", "d@example.com");
    for (const who of ["e", "f", "g"]) await fail("::ffff:192.0.2.1", `${who}@example.com`);
    await refusal(guard.check("192.0.2.1", "h@example.com"));
  });

  test("the prefix is configurable: 128 counts full addresses", async () => {
    const { guard, fail } = guardWith({ ipv6PrefixLength: 128 });
    for (const who of ["a", "b", "c"]) await fail("2001:db8:1:2::1", `${who}@example.com`);
    await refusal(guard.check("2001:db8:1:2::1", "d@example.com"));
    await guard.check("2001:db8:1:2::2", "d@example.com");
  });
});

describe("login guard: attempt rates", () => {
  test("successes count too, per account from anywhere and per address for any account", async () => {
    const { clock, guard } = guardWith({ attemptsPerMinutePerAccount: 2, attemptsPerMinutePerAddress: 3 });
    for (const ip of ["10.4.0.1", "10.4.0.2"]) await guard.succeeded(await guard.check(ip, EMAIL));
    const refused = await refusal(guard.check("10.4.0.3", EMAIL));
    expect(refused.message).toContain("login attempts for this account");
    expect(refused.headers["retry-after"]).toBe("30");
    clock.now += 30_000;
    await guard.check("10.4.0.3", EMAIL);
    for (const who of ["a", "b", "c"]) await guard.succeeded(await guard.check("10.4.0.9", `${who}@x.org`));
    expect((await refusal(guard.check("10.4.0.9", "d@x.org"))).message).toContain("this address");
  });
});
