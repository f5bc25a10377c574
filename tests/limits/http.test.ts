import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { FakeClock } from "../helpers/clock.ts";
import { call, DEMO, get, json, ORIGIN } from "../helpers/http.ts";
import { configFile, type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/** Limits as a client sees them through the gateway (in-process store; the Redis store is in redis.test.ts). */
let stack: Stack;
const clock = new FakeClock();
const plans = {
  free: { requestsPerMinute: 10, searchesPerDay: 4 },
  premium: { requestsPerMinute: 1000, searchesPerDay: null },
};
beforeAll(async () => {
  stack = await startStack({
    flags: {
      config: configFile({ plans, login: { maxFailures: 3, windowSeconds: 60 } }),
      trustProxy: "loopback",
    },
    clock: clock.now,
  });
});
afterAll(() => stack.close());

const asFrom = (ip: string) => ({ "x-forwarded-for": ip });

describe("rate limit and quota headers", () => {
  test("a free user sees both policies; the tightest one in RateLimit", async () => {
    const token = await tokenFor(stack, DEMO.free);
    const { status, headers } = await call(stack.app, get("/profile", token));
    expect(status).toBe(200);
    expect(headers.get("ratelimit-policy")).toBe('"minute";q=10;w=60, "day";q=4;w=86400');
    expect(headers.get("ratelimit")).toMatch(/^"day";r=4;t=\d+$/);
  });

  test("premium has no day quota: only the minute policy", async () => {
    const token = await tokenFor(stack, DEMO.premium);
    const { headers, body } = await call(stack.app, get("/search?query=iphone", token));
    expect(headers.get("ratelimit-policy")).toBe('"minute";q=1000;w=60');
    expect(headers.get("ratelimit")).toMatch(/^"minute";r=\d+;t=\d+$/);
    expect((body.results as unknown[]).length).toBeGreaterThan(0);
  });
});

describe("daily quota", () => {
  test("counts accepted searches only; then 429 quota-exceeded with violated-policies", async () => {
    // The expired premium user is effectively free, with a fresh quota of 4.
    const token = await tokenFor(stack, DEMO.expired);
    const invalid = await call(stack.app, get("/search?query=%20", token));
    expect(invalid.status).toBe(422);
    expect(invalid.headers.get("ratelimit")).toMatch(/^"day";r=4;/);
    for (let i = 0; i < 4; i++) {
      const ok = await call(stack.app, get(`/search?query=ipad&limit=1`, token));
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit")).toMatch(new RegExp(`^"day";r=${3 - i};`));
    }
    const refused = await call(stack.app, get("/search?query=ipad", token));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body).toMatchObject({
      type: "/problems/quota-exceeded",
      status: 429,
      "violated-policies": ["day"],
    });
    const t = Number(/t=(\d+)/.exec(refused.headers.get("ratelimit") ?? "")?.[1]);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(t);
    const profile = await call(stack.app, get("/profile", token));
    expect(profile.status).toBe(200);
    expect(profile.body.usage).toMatchObject({ day: { limit: 4, remaining: 0 }, minute: { limit: 10 } });
  });
});

describe("login protection", () => {
  const attempt = (email: string, password: string, ip: string) =>
    call(stack.app, json("/login", { email, password }, { headers: asFrom(ip) }));

  test("an address with maxFailures failures is refused, even with the right password", async () => {
    for (let i = 0; i < 3; i++)
      expect((await attempt(DEMO.free.email, "wrong", "203.0.113.1")).status).toBe(401);
    const blocked = await attempt(DEMO.free.email, DEMO.free.password, "203.0.113.1");
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ type: "/problems/login-throttled", "violated-policies": ["login"] });
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // and the same address cannot move on to another account
    expect((await attempt(DEMO.premium.email, "guess", "203.0.113.1")).status).toBe(429);
  });

  test("an account under attack is closed to every address during its back-off, then open to its owner", async () => {
    // The account has 3 failures from the test above: a fresh address gets no guess of its own...
    const fresh = await attempt(DEMO.free.email, "guess", "198.51.100.7");
    expect(fresh.status).toBe(429);
    expect(fresh.body).toMatchObject({ type: "/problems/login-throttled", "violated-policies": ["login"] });
    const wait = Number(fresh.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(0);
    // ...and after the short wait the owner logs in, from anywhere (and the account's failures are forgiven).
    clock.advance(wait * 1000 + 50);
    expect((await attempt(DEMO.free.email, DEMO.free.password, "198.51.100.7")).status).toBe(200);
    for (const ip of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) {
      expect((await attempt(DEMO.expired.email, "wrong", ip)).status).toBe(401);
    }
    // 3 failures on the account from 3 addresses: a 4th address cannot guess either...
    expect((await attempt(DEMO.expired.email, "wrong", "198.51.100.8")).status).toBe(429);
    // ...while an address that failed once is not barred from other accounts.
    expect((await attempt(DEMO.premium.email, DEMO.premium.password, "192.0.2.1")).status).toBe(200);
  });

  test("IPv6 clients are counted per /64: rotating addresses within it does not help", async () => {
    const inOne64 = ["2001:db8:7:1::a", "2001:db8:7:1::b", "2001:db8:7:1:ffff::c"];
    for (const [i, ip] of inOne64.entries()) {
      expect((await attempt(`nobody-${i}@example.com`, "wrong", ip)).status).toBe(401);
    }
    const rotated = await attempt(DEMO.premium.email, DEMO.premium.password, "2001:db8:7:1:1234::d");
    expect(rotated.status).toBe(429);
    expect(rotated.body.detail).toContain("this address");
    // The neighbouring /64 is another subscriber.
    expect((await attempt(DEMO.premium.email, DEMO.premium.password, "2001:db8:7:2::a")).status).toBe(200);
  });

  test("X-Forwarded-For is ignored unless the peer is a trusted proxy", async () => {
    const untrusted = await startStack({
      flags: { config: configFile({ login: { maxFailures: 2, windowSeconds: 60 } }) },
    });
    try {
      const tryFrom = (ip: string) =>
        call(
          untrusted.app,
          json("/login", { email: DEMO.free.email, password: "x" }, { headers: asFrom(ip) }),
        );
      expect((await tryFrom("10.0.0.1")).status).toBe(401);
      expect((await tryFrom("10.0.0.2")).status).toBe(401);
      // Two "different" forwarded addresses were one client: it is now blocked.
      expect((await tryFrom("10.0.0.3")).status).toBe(429);
    } finally {
      await untrusted.close();
    }
  });
});

describe("request rate limit", () => {
  test("a burst over requestsPerMinute gets 429 rate-limited with Retry-After >= t", async () => {
    const token = await tokenFor(stack, DEMO.free);
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 12; i++) {
      last = await call(stack.app, get("/profile", token));
      statuses.push(last.status);
    }
    // 10 per minute, some already used by this user's earlier tests in this file.
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(last?.status).toBe(429);
    expect(last?.body).toMatchObject({ type: "/problems/rate-limited", "violated-policies": ["minute"] });
    const header = last?.headers.get("ratelimit") ?? "";
    expect(header).toMatch(/^"minute";r=0;t=\d+$/);
    const t = Number(/t=(\d+)/.exec(header)?.[1]);
    expect(t).toBeGreaterThan(0);
    expect(Number(last?.headers.get("retry-after"))).toBeGreaterThanOrEqual(t);
  });

  test("unauthenticated requests are not charged to anyone", async () => {
    const response = await stack.app.handle(new Request(`${ORIGIN}/healthz`));
    expect(response.headers.get("ratelimit")).toBeNull();
  });
});
