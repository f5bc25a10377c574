import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { Product } from "../../src/models/search.ts";
import { startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import { type FaultyAggregator, startFaultyAggregator, TRANSPORTS } from "../helpers/faulty-aggregator.ts";
import { call, DEMO, get } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * The integration suite once per transport: the same searches, errors and faults over HTTP/JSON and
 * over gRPC, with the gateway in-process and every Aggregator on a real loopback socket. Nothing above
 * `createAggregatorClient` may tell the two apart, so every expectation here is the same for both.
 */
let users: RunningService;
let reference: RunningService;
const stacks: Stack[] = [];

beforeAll(async () => {
  [users, reference] = await Promise.all([
    startUsersService({ port: 0 }),
    startAggregatorService({ port: 0, grpcPort: 0 }),
  ]);
});
afterAll(async () => {
  for (const stack of stacks) {
    stack.services.aggregator.close();
    await stack.close();
  }
  await Promise.all([users.stop(), reference.stop()]);
});

async function gateway(aggregatorUrl: string, flags: Record<string, unknown> = {}) {
  const stack = await startStack({
    flags: { usersUrl: users.url, aggregatorUrl, breakerFailures: 1000, cacheTtl: 0, ...flags },
  });
  stacks.push(stack);
  const token = await tokenFor(stack, DEMO.premium);
  const search = async (query = "query=iphone", headers: Record<string, string> = {}) => {
    const started = performance.now();
    const result = await call(stack.app, get(`/search?${query}`, token, headers));
    return { ...result, ms: performance.now() - started };
  };
  return { stack, search };
}

const MARGIN_MS = 300;
const titles = (body: Record<string, unknown>) =>
  (body.results as Product[]).map((p) => p.title.toLowerCase());

describe.each(TRANSPORTS)("over %s", (transport) => {
  const referenceUrl = () => (transport === "grpc" ? (reference.grpcUrl as string) : reference.url);

  describe("the reference Aggregator", () => {
    test("a search for iphone finds iPhones from several marketplaces", async () => {
      expect(referenceUrl()).toStartWith(`${transport}://127.0.0.1:`);
      const { search } = await gateway(referenceUrl());
      const { status, body, headers } = await search();
      expect(status).toBe(200);
      const results = body.results as Product[];
      expect(results.length).toBeGreaterThan(3);
      expect(results[0]?.title.toLowerCase()).toContain("iphone");
      expect(new Set(results.map((p) => p.source)).size).toBeGreaterThanOrEqual(2);
      expect(body.request_id).toBe(headers.get("x-request-id") as string);
      expect((body.sources as { ok: boolean }[]).every((source) => source.ok)).toBe(true);
    });

    test("categories and limit are honoured", async () => {
      const { search } = await gateway(referenceUrl());
      const wide = await search("query=apple&categories=phones,laptops&limit=100");
      expect(wide.status).toBe(200);
      expect(wide.body.categories).toEqual(["phones", "laptops"]);
      expect(titles(wide.body).some((t) => t.includes("iphone"))).toBe(true);
      expect(titles(wide.body).some((t) => t.includes("macbook"))).toBe(true);
      expect(titles(wide.body).some((t) => t.includes("ipad"))).toBe(false);
      const few = await search("query=apple&categories=laptops&limit=3");
      expect(few.body.limit).toBe(3);
      expect(titles(few.body)).toHaveLength(3);
      expect(titles(few.body).every((t) => t.includes("macbook"))).toBe(true);
    });

    test("a query of 200 code points in emoji (400 UTF-16 units) passes both sides of the contract", async () => {
      const { search } = await gateway(referenceUrl());
      const query = "\u{1F600}".repeat(200);
      const { status, body } = await search(`query=${encodeURIComponent(query)}`);
      expect(status).toBe(200);
      expect(body.query).toBe(query);
    });

    test("/readyz sees the Aggregator", async () => {
      const { stack } = await gateway(referenceUrl());
      const ready = await call(stack.app, get("/readyz"));
      expect(ready.status).toBe(200);
      expect(ready.body.checks).toMatchObject({ aggregator: { ok: true, circuit: "closed" } });
    });
  });

  describe("a faulty Aggregator", () => {
    let faulty: FaultyAggregator;
    beforeAll(async () => {
      faulty = await startFaultyAggregator(transport);
    });
    afterAll(() => faulty.stop());
    beforeEach(() => faulty.have("answer"));

    test.each([
      ["unavailable", 503, "/problems/upstream-unavailable"],
      ["internal", 502, "/problems/bad-upstream"],
      ["junk", 502, "/problems/bad-upstream"],
      ["oversized", 502, "/problems/bad-upstream"],
    ] as const)("%s: %d, on time", async (fault, status, type) => {
      faulty.have(fault);
      const { search } = await gateway(faulty.url, { aggregatorTimeoutMs: 300, deadlineMs: 1000 });
      const result = await search();
      expect(result.status).toBe(status);
      expect(result.body.type).toBe(type);
      expect(result.ms).toBeLessThan(1000 + MARGIN_MS);
    });

    test("slow past its timeout: 504 within the deadline", async () => {
      faulty.slow(3000);
      const { search } = await gateway(faulty.url, { aggregatorTimeoutMs: 300, deadlineMs: 1000 });
      const result = await search();
      expect(result.status).toBe(504);
      expect(result.body.type).toBe("/problems/upstream-timeout");
      expect(result.ms).toBeLessThan(1000 + MARGIN_MS);
    });

    test("slow past the deadline when the timeout is longer: 504 at the deadline", async () => {
      faulty.slow(3000);
      const { search } = await gateway(faulty.url, { aggregatorTimeoutMs: 5000, deadlineMs: 400 });
      const result = await search();
      expect(result.status).toBe(504);
      expect(result.ms).toBeLessThan(400 + MARGIN_MS);
    });

    test("a transient failure is retried: 200, two calls seen", async () => {
      faulty.flaky(2);
      const { search } = await gateway(faulty.url, { retries: 1 });
      expect((await search()).status).toBe(200); // call 1 answers
      const before = faulty.searches().length;
      const retried = await search(); // call 2 fails, call 3 answers
      expect(retried.status).toBe(200);
      expect((retried.body.results as Product[])[0]?.id).toBe("p-2");
      expect(faulty.searches().length - before).toBe(2);
    });

    test("without retries the same failure reaches the client", async () => {
      faulty.flaky(2);
      const { search } = await gateway(faulty.url, { retries: 0 });
      expect([(await search()).status, (await search()).status]).toEqual([200, 503]);
    });

    test("a failure that is not transient is not retried", async () => {
      faulty.have("internal");
      const { search } = await gateway(faulty.url, { retries: 1 });
      const before = faulty.searches().length;
      expect((await search()).status).toBe(502);
      expect(faulty.searches().length - before).toBe(1);
    });

    test("the circuit opens after consecutive failures: 503 at once, without a backend call", async () => {
      faulty.have("internal");
      const { stack, search } = await gateway(faulty.url, {
        retries: 0,
        breakerFailures: 3,
        breakerOpenMs: 5000,
      });
      for (let i = 0; i < 3; i++) expect((await search()).status).toBe(502);
      const before = faulty.searches().length;
      const open = await search();
      expect(open.status).toBe(503);
      expect(open.body.detail).toContain("circuit open");
      expect(open.ms).toBeLessThan(50);
      expect(faulty.searches().length).toBe(before);
      const ready = await call(stack.app, get("/readyz"));
      expect(ready.body.checks).toMatchObject({ aggregator: { circuit: "open" } });
    });

    test("the request id and the trace reach the backend, with a new span id", async () => {
      const { search } = await gateway(faulty.url);
      const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
      const sentSpan = "00f067aa0ba902b7";
      const result = await search("query=iphone", {
        "x-request-id": `trace-me-${transport}`,
        traceparent: `00-${trace}-${sentSpan}-01`,
      });
      expect(result.status).toBe(200);
      const seen = faulty.searches().at(-1);
      expect(seen?.requestId).toBe(`trace-me-${transport}`);
      expect(seen?.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
      expect(seen?.traceparent).not.toContain(sentSpan);
    });

    test("the deadline the backend sees is no longer than the gateway's", async () => {
      const { search } = await gateway(faulty.url, { aggregatorTimeoutMs: 5000, deadlineMs: 2000 });
      expect((await search()).status).toBe(200);
      const allowed = faulty.searches().at(-1)?.allowedMs ?? Number.NaN;
      expect(allowed).toBeGreaterThan(1000);
      expect(allowed).toBeLessThanOrEqual(2000);

      const short = await gateway(faulty.url, { aggregatorTimeoutMs: 700, deadlineMs: 5000 });
      expect((await short.search()).status).toBe(200);
      expect(faulty.searches().at(-1)?.allowedMs).toBeLessThanOrEqual(700);
    });
  });
});
