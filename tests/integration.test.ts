import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/core/logger.ts";
import { type RunningGateway, startGateway } from "../src/server.ts";
import { createServices, type ReadyConfig, type Services } from "../src/services/container.ts";
import { deadUrl, type FakeBackend, forwardTo, sleep, startFakeBackend } from "./helpers/fake-backend.ts";
import { DEMO } from "./helpers/http.ts";
import { configFor, startBackends } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

/**
 * The real-socket suite: reference backends and the gateway on loopback ports, driven with fetch as a
 * client would. Between the gateway and each reference backend sits a recording proxy whose behaviour
 * a test can change, to see what crosses the wire and to inject faults.
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
let users: FakeBackend;
let aggregator: FakeBackend;
let gateway: RunningGateway;
const logs: string[] = [];

const servicesOf = new Map<RunningGateway, Services>();

function boot(flags: Record<string, unknown>): RunningGateway {
  const config = configFor({ usersUrl: users.url, aggregatorUrl: aggregator.url, ...flags }) as ReadyConfig;
  const logger = createLogger("debug", (line) => logs.push(line));
  const services = createServices(config, logger);
  const running = startGateway({
    services,
    logger,
    host: "127.0.0.1",
    port: 0,
  });
  servicesOf.set(running, services);
  return running;
}

beforeAll(async () => {
  backends = await startBackends();
  users = startFakeBackend(forwardTo(backends.users.url));
  aggregator = startFakeBackend(forwardTo(backends.aggregator.url));
  // No search cache and a high breaker threshold: these tests look at single faults, each on its own;
  // caching and circuits have their own suite (resilience.test.ts).
  gateway = boot({
    aggregatorTimeoutMs: 300,
    usersTimeoutMs: 1000,
    userCacheTtl: 0,
    breakerFailures: 1000,
    cacheTtl: 0,
  });
});
afterAll(async () => {
  await gateway.stop(100);
  await Promise.all([users.stop(), aggregator.stop(), backends.close()]);
});

function healthy() {
  users.behave(forwardTo(backends.users.url));
  aggregator.behave(forwardTo(backends.aggregator.url));
}

async function loginToken(who: { email: string; password: string } = DEMO.premium): Promise<string> {
  const response = await fetch(`${gateway.url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Minted by the gateway's own TokenService, for tests whose subject is not login. */
function tokenOf(who: { email: string } = DEMO.premium): Promise<string> {
  return tokenFor({ services: servicesOf.get(gateway) as Services }, who);
}

async function searchOnce(token: string, query = "iphone") {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/search?query=${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, headers: response.headers, ms: performance.now() - started };
}

describe("over real sockets", () => {
  test("the gateway listens on the port it reports (port 0 = any free port)", async () => {
    expect(gateway.port).toBeGreaterThan(0);
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: "ok" });
  });

  test("login, profile and search end to end", async () => {
    healthy();
    const token = await loginToken();
    const profile = await fetch(`${gateway.url}/profile`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await profile.json()) as { plan: string }).plan).toBe("premium");
    const { status, body } = await searchOnce(token);
    expect(status).toBe(200);
    expect((body.results as unknown[]).length).toBeGreaterThan(0);
  });

  test("the request id and a W3C traceparent reach both backends", async () => {
    healthy();
    const token = await tokenOf();
    users.calls.length = 0;
    aggregator.calls.length = 0;
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${gateway.url}/search?query=iphone`, {
      headers: {
        authorization: `Bearer ${token}`,
        "x-request-id": "trace-me-1",
        traceparent: `00-${trace}-00f067aa0ba902b7-01`,
      },
    });
    expect(response.status).toBe(200);
    for (const backend of [users, aggregator]) {
      const seen = backend.calls.at(-1);
      expect(seen?.headers.get("x-request-id")).toBe("trace-me-1");
      expect(seen?.headers.get("traceparent")).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
      expect(seen?.headers.get("traceparent")).not.toContain("00f067aa0ba902b7");
    }
    expect(((await response.json()) as { request_id: string }).request_id).toBe("trace-me-1");
  });

  test("the subscription is asked of the Users service on every request when the cache TTL is 0", async () => {
    healthy();
    const token = await tokenOf();
    users.calls.length = 0;
    await searchOnce(token);
    await searchOnce(token);
    expect(users.calls.filter((r) => new URL(r.url).pathname.startsWith("/v1/users/")).length).toBe(2);
  });

  test("with a user cache TTL, requests within it ask the Users service once", async () => {
    healthy();
    const cached = boot({ userCacheTtl: 30 });
    try {
      const token = await tokenOf();
      users.calls.length = 0;
      const lookups = () =>
        users.calls.filter((r) => new URL(r.url).pathname.startsWith("/v1/users/")).length;
      const profile = (url: string) =>
        fetch(`${url}/profile`, { headers: { authorization: `Bearer ${token}` } });
      // Sequential on purpose: concurrent misses would be coalesced even without a TTL.
      for (let i = 0; i < 5; i++) expect((await profile(cached.url)).status).toBe(200);
      expect(lookups()).toBe(1);
    } finally {
      await cached.stop(100);
    }
  });
});

describe("when a backend fails", () => {
  let token: string;
  beforeAll(async () => {
    healthy();
    token = await tokenOf();
  });

  const expectProblem = (result: Awaited<ReturnType<typeof searchOnce>>, status: number, type: string) => {
    expect(result.status).toBe(status);
    expect(result.headers.get("content-type")).toBe("application/problem+json");
    expect(result.body.type).toBe(type);
    expect(JSON.stringify(result.body)).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
  };

  test("Aggregator unreachable (nothing listens): 503", async () => {
    const dead = await deadUrl();
    const direct = boot({ aggregatorUrl: dead, userCacheTtl: 0 });
    try {
      const response = await fetch(`${direct.url}/search?query=iphone`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { type: string }).type).toBe("/problems/upstream-unavailable");
      const ready = await fetch(`${direct.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({
        status: "unready",
        checks: { users: { ok: true }, aggregator: { ok: false } },
      });
    } finally {
      await direct.stop(100);
    }
  });

  test("Aggregator slower than its timeout: 504, on time", async () => {
    aggregator.behave(async () => {
      await sleep(2000);
      return Response.json({ request_id: "x", results: [] });
    });
    const result = await searchOnce(token);
    expectProblem(result, 504, "/problems/upstream-timeout");
    expect(result.ms).toBeLessThan(1500);
    healthy();
  });

  test("Aggregator answers junk, wrong JSON, a 500 or an oversized body: 502", async () => {
    const faults: (() => Response)[] = [
      () => new Response("<html>oops</html>", { headers: { "content-type": "text/html" } }),
      () => new Response("{not json", { headers: { "content-type": "application/json" } }),
      () => Response.json({ request_id: "x", results: [{ id: 1, title: "no price" }] }),
      () => Response.json({ error: "boom" }, { status: 500 }),
      () => Response.json({ request_id: "x", results: [], pad: "x".repeat(3 * 1024 * 1024) }),
    ];
    for (const fault of faults) {
      aggregator.behave(fault);
      expectProblem(await searchOnce(token), 502, "/problems/bad-upstream");
    }
    healthy();
  });

  test("Users service down: login and authenticated calls are 503, healthz still 200", async () => {
    users.behave(() => new Response("unavailable", { status: 503 }));
    const login = await fetch(`${gateway.url}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(DEMO.premium),
    });
    expect(login.status).toBe(503);
    expectProblem(await searchOnce(token), 503, "/problems/upstream-unavailable");
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    healthy();
  });

  test("Users service slow: 504", async () => {
    users.behave(async () => {
      await sleep(2000);
      return new Response("late");
    });
    expectProblem(await searchOnce(token), 504, "/problems/upstream-timeout");
    healthy();
  });

  test("Users service answers a user that breaks the contract: 502", async () => {
    users.behave(() => Response.json({ id: "not-a-uuid", email: 3 }));
    expectProblem(await searchOnce(token), 502, "/problems/bad-upstream");
    healthy();
  });
});
