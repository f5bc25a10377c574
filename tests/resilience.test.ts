import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { MemoryCacheStore } from "../src/stores/memory-cache-store.ts";
import { FakeClock } from "./helpers/clock.ts";
import {
  aggregatorAnswer,
  deadUrl,
  type FakeBackend,
  faults,
  forwardTo,
  startFakeBackend,
  startResettingServer,
} from "./helpers/fake-backend.ts";
import { call, DEMO, get } from "./helpers/http.ts";
import { type Stack, startBackends, startStack } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

/**
 * The gateway on its worst day: a fault-injecting Aggregator (and Users service) on real sockets, the
 * gateway in-process. For each fault: what the client gets, and that it gets it within the deadline.
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
let aggregator: FakeBackend;
let users: FakeBackend;
const stacks: Stack[] = [];

beforeAll(async () => {
  backends = await startBackends();
  aggregator = startFakeBackend(aggregatorAnswer());
  users = startFakeBackend(forwardTo(backends.users.url));
});
afterAll(async () => {
  for (const stack of stacks) await stack.close();
  await Promise.all([aggregator.stop(), users.stop(), backends.close()]);
});

/** With a clock, the gateway's caches and circuits keep its time: tests advance it instead of sleeping. */
async function gateway(flags: Record<string, unknown>, clock?: FakeClock) {
  const stack = await startStack({
    flags: { usersUrl: users.url, aggregatorUrl: aggregator.url, breakerFailures: 1000, ...flags },
    ...(clock ? { clock: clock.now } : {}),
  });
  stacks.push(stack);
  const token = await tokenFor(stack, DEMO.premium);
  const search = async (query = "iphone", extra = "") => {
    const started = performance.now();
    const result = await call(stack.app, get(`/search?query=${encodeURIComponent(query)}${extra}`, token));
    return { ...result, ms: performance.now() - started };
  };
  return { stack, token, search };
}

const searchCalls = () => aggregator.calls.filter((r) => new URL(r.url).pathname === "/v1/search").length;
const MARGIN_MS = 300;

describe("faults: the status, and on time", () => {
  test.each([
    ["slow past its timeout", () => faults.slow(3000, aggregatorAnswer()), 504, "/problems/upstream-timeout"],
    ["answering 500", () => faults.status(500), 502, "/problems/bad-upstream"],
    ["answering 503", () => faults.status(503), 503, "/problems/upstream-unavailable"],
    ["answering junk", () => faults.junk(), 502, "/problems/bad-upstream"],
    ["answering 3 MiB", () => faults.oversized(3 * 1024 * 1024), 502, "/problems/bad-upstream"],
  ] as const)("Aggregator %s", async (_, fault, status, type) => {
    aggregator.behave(fault());
    const { search } = await gateway({ aggregatorTimeoutMs: 300, deadlineMs: 1000, cacheTtl: 0 });
    const result = await search();
    expect(result.status).toBe(status);
    expect(result.body.type).toBe(type);
    expect(result.ms).toBeLessThan(1000 + MARGIN_MS);
    aggregator.behave(aggregatorAnswer());
  });

  // The backend timeout covers reading the body, not only the wait for headers: with no retry and a
  // long deadline, the answer comes at the timeout.
  test.each([true, false])(
    "Aggregator stalling mid-body (length declared: %p): 504 at the timeout",
    async (declared) => {
      aggregator.behave(faults.stalledBody(declared));
      const { search } = await gateway({
        aggregatorTimeoutMs: 300,
        deadlineMs: 5000,
        retries: 0,
        cacheTtl: 0,
      });
      const result = await search();
      expect(result.status).toBe(504);
      expect(result.body.type).toBe("/problems/upstream-timeout");
      expect(result.ms).toBeLessThan(300 + MARGIN_MS);
      aggregator.behave(aggregatorAnswer());
    },
  );

  test("Aggregator resetting connections, or not there at all: 503", async () => {
    const resetting = startResettingServer();
    try {
      for (const url of [resetting.url, await deadUrl()]) {
        const { search } = await gateway({ aggregatorUrl: url, deadlineMs: 1000, cacheTtl: 0 });
        const result = await search();
        expect(result.status).toBe(503);
        expect(result.ms).toBeLessThan(1000 + MARGIN_MS);
      }
    } finally {
      resetting.stop();
    }
  });

  test("the deadline bounds the request even when the backend timeout is longer", async () => {
    // 1.5 s rather than less: the login in gateway() (argon2) must fit the deadline on a loaded machine.
    aggregator.behave(faults.slow(5000, aggregatorAnswer()));
    const { search } = await gateway({ aggregatorTimeoutMs: 10_000, deadlineMs: 1500, cacheTtl: 0 });
    const result = await search();
    expect(result.status).toBe(504);
    expect(result.ms).toBeGreaterThan(1000);
    expect(result.ms).toBeLessThan(1500 + MARGIN_MS);
    aggregator.behave(aggregatorAnswer());
  });

  test("what is left of the deadline is sent upstream as X-Request-Timeout-Ms", async () => {
    const { search } = await gateway({ aggregatorTimeoutMs: 5000, deadlineMs: 2000, cacheTtl: 0 });
    await search();
    const sent = Number(aggregator.calls.at(-1)?.headers.get("x-request-timeout-ms"));
    expect(sent).toBeGreaterThan(1000);
    expect(sent).toBeLessThanOrEqual(2000);
  });
});

describe("retries", () => {
  test("a transient failure is retried once and the client gets its answer", async () => {
    aggregator.behave(faults.flaky(2, faults.status(503), aggregatorAnswer()));
    const { search } = await gateway({ cacheTtl: 0, retries: 1 });
    const before = searchCalls();
    // Calls 1 (ok) and 2 (503, then retried as call 3, ok).
    expect((await search()).status).toBe(200);
    expect((await search()).status).toBe(200);
    expect(searchCalls() - before).toBe(3);
  });

  test("without retries the same failure reaches the client", async () => {
    aggregator.behave(faults.flaky(2, faults.status(503), aggregatorAnswer()));
    const { search } = await gateway({ cacheTtl: 0, retries: 0 });
    const statuses = [(await search()).status, (await search()).status];
    expect(statuses).toEqual([200, 503]);
  });

  test("a 500 is not retried (not transient), nor is junk", async () => {
    for (const fault of [faults.status(500), faults.junk()]) {
      aggregator.behave(fault);
      const { search } = await gateway({ cacheTtl: 0, retries: 1 });
      const before = searchCalls();
      await search();
      expect(searchCalls() - before).toBe(1);
    }
    aggregator.behave(aggregatorAnswer());
  });

  test("in an outage retries do not multiply the load: the budget, then the circuit, cap it", async () => {
    aggregator.behave(faults.status(503));
    const { search } = await gateway({ cacheTtl: 0, retries: 1 });
    const before = searchCalls();
    for (let i = 0; i < 50; i++) expect((await search(`q${i}`)).status).toBe(503);
    const made = searchCalls() - before;
    // Without the budget it would be 100; the failure-rate rule opens the circuit after 20 calls.
    expect(made).toBeLessThanOrEqual(20 + Math.max(3, 20 * 0.2));
    aggregator.behave(aggregatorAnswer());
  });
});

describe("circuit breaker", () => {
  test("opens after consecutive failures, answers 503 at once, probes when half-open, closes", async () => {
    aggregator.behave(faults.status(500));
    const clock = new FakeClock();
    const { stack, search } = await gateway(
      { cacheTtl: 0, retries: 0, breakerFailures: 3, breakerOpenMs: 400 },
      clock,
    );
    for (let i = 0; i < 3; i++) expect((await search()).status).toBe(502);
    const before = searchCalls();
    const open = await search();
    expect(open.status).toBe(503);
    expect(open.body.detail).toContain("circuit open");
    expect(Number(open.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(open.ms).toBeLessThan(50);
    expect(searchCalls()).toBe(before);
    const ready = await call(stack.app, get("/readyz"));
    expect((ready.body.checks as { aggregator: { circuit: string } }).aggregator.circuit).toBe("open");

    aggregator.behave(aggregatorAnswer());
    clock.advance(450);
    const probe = await search();
    expect(probe.status).toBe(200);
    expect(searchCalls()).toBe(before + 1);
    const closed = await call(stack.app, get("/readyz"));
    expect((closed.body.checks as { aggregator: { circuit: string } }).aggregator.circuit).toBe("closed");
  });

  test("a failed probe opens the circuit again", async () => {
    aggregator.behave(faults.status(500));
    const clock = new FakeClock();
    const { search } = await gateway(
      { cacheTtl: 0, retries: 0, breakerFailures: 2, breakerOpenMs: 300 },
      clock,
    );
    await search();
    await search();
    clock.advance(350);
    expect((await search()).status).toBe(502); // the probe, failing
    const before = searchCalls();
    expect((await search()).status).toBe(503);
    expect(searchCalls()).toBe(before);
    aggregator.behave(aggregatorAnswer());
  });
});

describe("search cache", () => {
  test("MISS then HIT for the same normalized search; other limits miss", async () => {
    aggregator.behave(aggregatorAnswer());
    const { search } = await gateway({});
    const first = await search("iPhone  15");
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect(first.body.cached).toBe(false);
    const again = await search("  iphone 15 ");
    expect(again.headers.get("x-cache")).toBe("HIT");
    expect(again.body.cached).toBe(true);
    expect(again.body.results).toEqual(first.body.results);
    expect(again.body.query).toBe("iphone 15");
    expect(again.body.request_id).not.toBe(first.body.request_id);
    expect((await search("iphone 15", "&limit=5")).headers.get("x-cache")).toBe("MISS");
  });

  test("a partial answer (a marketplace down) is not cached", async () => {
    aggregator.behave(aggregatorAnswer({ partial: true }));
    const { search } = await gateway({});
    expect((await search("partial")).headers.get("x-cache")).toBe("MISS");
    expect((await search("partial")).headers.get("x-cache")).toBe("MISS");
    aggregator.behave(aggregatorAnswer());
  });

  test("when the Aggregator fails, an expired answer is served marked STALE; past the stale TTL, the error", async () => {
    aggregator.behave(aggregatorAnswer());
    const clock = new FakeClock();
    const { search } = await gateway({ cacheTtl: 1, staleTtl: 600, retries: 0 }, clock);
    const fresh = await search("stale-me");
    clock.advance(1100);
    aggregator.behave(faults.status(503));
    const stale = await search("stale-me");
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-cache")).toBe("STALE");
    expect(stale.body.cached).toBe(true);
    expect(stale.body.results).toEqual(fresh.body.results);
    expect((await search("never-cached")).status).toBe(503);
    aggregator.behave(aggregatorAnswer());

    const short = await gateway({ cacheTtl: 1, staleTtl: 0, retries: 0 }, clock);
    await short.search("no-stale");
    clock.advance(1100);
    aggregator.behave(faults.status(503));
    expect((await short.search("no-stale")).status).toBe(503);
    aggregator.behave(aggregatorAnswer());
  });

  test("an open circuit also falls back to the stale answer", async () => {
    aggregator.behave(aggregatorAnswer());
    const clock = new FakeClock();
    const { search } = await gateway(
      { cacheTtl: 1, retries: 0, breakerFailures: 1, breakerOpenMs: 5000 },
      clock,
    );
    await search("circuit-stale");
    clock.advance(1100);
    aggregator.behave(faults.status(500));
    await search("other"); // opens the circuit
    const before = searchCalls();
    const stale = await search("circuit-stale");
    expect(stale.headers.get("x-cache")).toBe("STALE");
    expect(searchCalls()).toBe(before);
    aggregator.behave(aggregatorAnswer());
  });

  test("100 concurrent identical searches on a cold cache make exactly one Aggregator call", async () => {
    aggregator.behave(faults.slow(100, aggregatorAnswer()));
    const { search } = await gateway({});
    const before = searchCalls();
    const results = await Promise.all(Array.from({ length: 100 }, () => search("coalesce-me")));
    expect(results.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(searchCalls() - before).toBe(1);
    expect(new Set(results.map((r) => r.body.request_id)).size).toBe(100);
    aggregator.behave(aggregatorAnswer());
  });

  test("memory stays bounded: many distinct searches keep the cache within its entry limit", async () => {
    aggregator.behave(aggregatorAnswer());
    const { stack, search } = await gateway({ cacheMaxEntries: 20 });
    for (let i = 0; i < 100; i++) await search(`distinct-${i}`);
    expect((stack.services.cacheStore as MemoryCacheStore).size).toBeLessThanOrEqual(20);
  });

  test.each([
    ["tinylfu", "HIT", 0],
    ["lru", "MISS", 1],
  ] as const)(
    "with %s admission, a popular search through a flood of one-off searches: %s",
    async (admission, xCache, calls) => {
      aggregator.behave(aggregatorAnswer());
      const { stack, search } = await gateway({ cacheMaxEntries: 20, cacheAdmission: admission });
      expect((stack.services.cacheStore as MemoryCacheStore).admission).toBe(admission);
      for (let i = 0; i < 5; i++) await search("popular");
      for (let i = 0; i < 100; i++) await search(`one-off-${i}`);
      const before = searchCalls();
      const again = await search("popular");
      expect(again.status).toBe(200);
      expect(again.headers.get("x-cache")).toBe(xCache);
      expect(searchCalls() - before).toBe(calls);
    },
  );
});

describe("untrusted answers", () => {
  test("fields the contract does not name never reach the client", async () => {
    aggregator.behave(async (request) => {
      if (request.method === "GET") return Response.json({ status: "ok" });
      const { request_id } = (await request.json()) as { request_id: string };
      const product = {
        id: "x1",
        title: "T",
        price: 1,
        currency: "USD",
        url: "https://s.example/1",
        source: "s",
      };
      return Response.json({
        request_id,
        injected: true,
        results: [{ ...product, script: "<img onerror>" }],
      });
    });
    const { stack } = await gateway({ cacheTtl: 0 });
    const caller = stack.services.auth.callerOf({
      id: "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70",
      email: "premium@example.com",
      subscription: "premium",
      expires_at: null,
    });
    // The service itself (what the CLI prints with --json), not only the HTTP layer, drops them.
    const answer = (await stack.services.search.search({ query: "extra" }, caller, { requestId: "extra-1" }))
      .value;
    expect(answer.results).toEqual([
      { id: "x1", title: "T", price: 1, currency: "USD", url: "https://s.example/1", source: "s" },
    ]);
    expect(JSON.stringify(answer)).not.toContain("injected");
    aggregator.behave(aggregatorAnswer());
  });
});

describe("untrusted answers, read in one pass", () => {
  const product = {
    id: "x1",
    title: "T",
    price: 1,
    currency: "USD",
    url: "https://s.example/1",
    source: "s",
  };
  const answerWith = (results: unknown[], sources: unknown[]) =>
    aggregator.behave(async (request) => {
      if (request.method === "GET") return Response.json({ status: "ok" });
      const { request_id } = (await request.json()) as { request_id: string };
      // Raw text, so a `__proto__` key arrives as JSON.parse makes it: an own property.
      const body = JSON.stringify({ request_id, results, sources }).replace(
        '"results"',
        '"__proto__":{"polluted":1},"results"',
      );
      return new Response(body, { headers: { "content-type": "application/json" } });
    });

  test("extra fields at every depth, and another type's field names, are not in the answer or the cache", async () => {
    answerWith(
      [{ ...product, name: "<b>", ok: { script: "<img onerror>" }, results: [1] }],
      [{ name: "s", ok: true, took_ms: 1, id: "<i>", url: "javascript:alert(1)" }],
    );
    const { search } = await gateway({});
    const first = await search("one-pass extras");
    const second = await search("one-pass extras");
    expect([first.status, second.headers.get("x-cache")]).toEqual([200, "HIT"]);
    for (const result of [first, second]) {
      const body = result.body as Record<string, unknown>;
      expect(body.results).toEqual([product]);
      expect(body.sources).toEqual([{ name: "s", ok: true, took_ms: 1 }]);
      expect(JSON.stringify(body)).not.toMatch(/<b>|onerror|<i>|javascript|polluted|__proto__/);
    }
    aggregator.behave(aggregatorAnswer());
  });

  test("a bad value is still a 502, nested or at the top", async () => {
    const { search } = await gateway({ cacheTtl: 0 });
    for (const [results, sources] of [
      [[{ ...product, url: "javascript:alert(1)" }], []],
      [[{ ...product, rating: 6 }], []],
      [[{ ...product, title: { html: "<b>" } }], []],
      [[product], [{ name: "s", ok: "yes", took_ms: 1 }]],
      [Array.from({ length: 1001 }, () => product), []],
    ] as const) {
      answerWith([...results], [...sources]);
      expect((await search("one-pass bad value")).status).toBe(502);
    }
    aggregator.behave(aggregatorAnswer());
  });
});

describe("user lookups", () => {
  test("with the Users service down, a user seen within the stale TTL still gets through", async () => {
    users.behave(forwardTo(backends.users.url));
    const clock = new FakeClock();
    const { stack, token } = await gateway({ userCacheTtl: 1, userStaleTtl: 300, cacheTtl: 0 }, clock);
    expect((await call(stack.app, get("/profile", token))).status).toBe(200);
    clock.advance(1100);
    users.behave(faults.status(503));
    expect((await call(stack.app, get("/profile", token))).status).toBe(200);
    users.behave(forwardTo(backends.users.url));
  });

  test("without a stale record, and for login, the Users outage is a 503", async () => {
    users.behave(forwardTo(backends.users.url));
    const clock = new FakeClock();
    const { stack, token } = await gateway({ userCacheTtl: 1, userStaleTtl: 0, cacheTtl: 0 }, clock);
    await call(stack.app, get("/profile", token));
    clock.advance(1100);
    users.behave(faults.status(503));
    expect((await call(stack.app, get("/profile", token))).status).toBe(503);
    const loginAttempt = await call(
      stack.app,
      new Request("http://localhost/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(DEMO.free),
      }),
    );
    expect(loginAttempt.status).toBe(503);
    users.behave(forwardTo(backends.users.url));
  });
});
