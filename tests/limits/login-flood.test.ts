import { afterAll, describe, expect, test } from "bun:test";
import { call, DEMO, get, json } from "../helpers/http.ts";
import { configFile, type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * One account's correct logins, flooded (200 requests, 64 in flight) through the in-process gateway
 * against the real reference Users service (argon2): the rest of the world must not notice.
 */
const stacks: Stack[] = [];
afterAll(() => Promise.all(stacks.map((s) => s.close())));

async function stackWith(login?: Record<string, unknown>): Promise<Stack> {
  const flags: Record<string, unknown> = { trustProxy: "loopback", userCacheTtl: 0 };
  if (login) flags.config = configFile({ login });
  const stack = await startStack({ flags });
  stacks.push(stack);
  return stack;
}

async function flood(stack: Stack, total = 200, inFlight = 64): Promise<Awaited<ReturnType<typeof call>>[]> {
  const answers: Awaited<ReturnType<typeof call>>[] = [];
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent += 1;
      const request = json("/login", DEMO.free, { headers: { "x-forwarded-for": "203.0.113.50" } });
      answers.push(await call(stack.app, request));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return answers;
}

/** Another user, on another address, logging in and searching (each search asks Users: no user cache). */
async function bystander(stack: Stack) {
  const loggedIn = await call(
    stack.app,
    json("/login", DEMO.premium, { headers: { "x-forwarded-for": "198.51.100.20" } }),
  );
  const token = loggedIn.body.access_token as string;
  const searches = [];
  for (let i = 0; i < 3; i++) searches.push((await call(stack.app, get("/search?query=ipad", token))).status);
  return { login: loggedIn.status, searches };
}

// The flooding account's own checks may time out (504) on a loaded machine; what matters is everyone else.
const statusesOf = (answers: { status: number }[]) => [...new Set(answers.map((a) => a.status))].sort();

describe("a flood of one account's correct logins", () => {
  test("with the default limits: another user logs in and searches, the Users circuit stays closed", async () => {
    const stack = await stackWith();
    const [answers, other] = await Promise.all([flood(stack), Bun.sleep(20).then(() => bystander(stack))]);
    expect(other).toEqual({ login: 200, searches: [200, 200, 200] });
    expect(stack.services.breakers.users.state).toBe("closed");
    // The account's own rate answers most of the flood, before any Users call.
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThan(150);
    expect(throttled[0]?.body).toMatchObject({ type: "/problems/login-throttled" });
    expect(statusesOf(answers).every((s) => [200, 429, 503, 504].includes(s))).toBe(true);
    expect(await bystander(stack)).toEqual({ login: 200, searches: [200, 200, 200] });
    const metrics = await stack.app.handle(new Request("http://localhost/metrics"));
    expect(await metrics.text()).toContain('gateway_circuit_state{backend="users",state="closed"} 1');
  }, 30_000);

  test("with the rates out of the way, the check slots alone keep Users below saturation", async () => {
    const stack = await stackWith({
      attemptsPerMinutePerAddress: 1_000_000,
      attemptsPerMinutePerAccount: 1_000_000,
      maxConcurrentChecks: 2,
      queueLength: 1,
    });
    const token = await tokenFor(stack, DEMO.premium);
    const searches: number[] = [];
    const during = async () => {
      for (let i = 0; i < 5; i++)
        searches.push((await call(stack.app, get("/search?query=ipad", token))).status);
    };
    const [answers] = await Promise.all([flood(stack), during()]);
    expect(searches).toEqual([200, 200, 200, 200, 200]);
    // 429 only for attempts beyond maxFailures in flight for the account at once (the guard's ceiling).
    expect(statusesOf(answers).every((s) => [200, 429, 503, 504].includes(s))).toBe(true);
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(0);
    const busy = answers.find((a) => a.status === 503);
    expect(busy?.body).toMatchObject({ type: "/problems/login-busy", status: 503 });
    expect(busy?.headers.get("retry-after")).toBe("1");
    expect(busy?.headers.get("content-type")).toBe("application/problem+json");
    expect(stack.services.breakers.users.state).toBe("closed");
    expect(await bystander(stack)).toEqual({ login: 200, searches: [200, 200, 200] });
  }, 30_000);
});
