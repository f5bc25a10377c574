import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/core/logger.ts";
import { tracerFromEnv } from "../src/core/tracing/from-env.ts";
import { startGateway } from "../src/server.ts";
import { createServices, type ReadyConfig } from "../src/services/container.ts";
import { type FakeBackend, forwardTo, startFakeBackend } from "./helpers/fake-backend.ts";
import { call, DEMO, get } from "./helpers/http.ts";
import {
  afterResponses,
  configFile,
  configFor,
  type Stack,
  startBackends,
  startStack,
} from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

/** The value of one sample line of a Prometheus scrape, e.g. `name{a="b"}`. */
function sample(scrape: string, series: string): number | undefined {
  const line = scrape.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      flags: { config: configFile({ plans: { free: { requestsPerMinute: 2 } } }) },
    });
  });
  afterAll(() => stack.close());

  test("requests, durations, upstream calls, cache, rejections, circuits, in-flight, memory", async () => {
    const premium = await tokenFor(stack, DEMO.premium);
    const free = await tokenFor(stack, DEMO.free);
    await call(stack.app, get("/search?query=metrics", premium));
    await call(stack.app, get("/search?query=metrics", premium));
    await call(stack.app, get("/nowhere"));
    await call(stack.app, get("/profile"));
    for (let i = 0; i < 3; i++) await call(stack.app, get("/profile", free));
    await afterResponses(stack); // metrics are counted after each response is sent

    const response = await stack.app.handle(get("/metrics"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const scrape = await response.text();
    expect(sample(scrape, 'gateway_http_requests_total{method="GET",route="/search",status="200"}')).toBe(2);
    expect(sample(scrape, 'gateway_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(
      1,
    );
    expect(sample(scrape, 'gateway_http_requests_total{method="GET",route="/profile",status="401"}')).toBe(1);
    expect(sample(scrape, 'gateway_http_requests_total{method="GET",route="/profile",status="429"}')).toBe(1);
    expect(sample(scrape, 'gateway_http_request_duration_seconds_count{route="/search"}')).toBe(2);
    expect(sample(scrape, 'gateway_http_request_duration_seconds_bucket{route="/search",le="+Inf"}')).toBe(2);
    expect(
      sample(scrape, 'gateway_upstream_request_duration_seconds_count{backend="aggregator",outcome="ok"}'),
    ).toBe(1);
    expect(
      sample(scrape, 'gateway_upstream_request_duration_seconds_count{backend="users",outcome="ok"}'),
    ).toBeGreaterThan(0);
    expect(sample(scrape, 'gateway_search_cache_total{result="miss"}')).toBe(1);
    expect(sample(scrape, 'gateway_search_cache_total{result="hit"}')).toBe(1);
    expect(sample(scrape, 'gateway_limit_rejections_total{policy="minute"}')).toBe(1);
    expect(sample(scrape, 'gateway_circuit_state{backend="aggregator",state="closed"}')).toBe(1);
    expect(sample(scrape, 'gateway_circuit_state{backend="aggregator",state="open"}')).toBe(0);
    expect(sample(scrape, "gateway_http_requests_in_flight")).toBe(1); // the scrape itself
    expect(sample(scrape, "gateway_search_coalesced_total")).toBe(0);
    expect(sample(scrape, "process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    expect(scrape).toContain("# TYPE gateway_http_request_duration_seconds histogram");
  });

  test("with a metrics token, /metrics needs it", async () => {
    const guarded = await startStack({ flags: { metricsToken: "scrape-me-please" } });
    try {
      expect((await guarded.app.handle(get("/metrics"))).status).toBe(401);
      expect((await guarded.app.handle(get("/metrics", "wrong"))).status).toBe(401);
      expect((await guarded.app.handle(get("/metrics", "scrape-me-please"))).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  test("with an admin port, /metrics moves there", async () => {
    const backends = await startBackends();
    const config = configFor({
      usersUrl: backends.users.url,
      aggregatorUrl: backends.aggregator.url,
      adminPort: 0,
    });
    const services = createServices(config as ReadyConfig, createLogger("error"));
    const gateway = startGateway({ services, logger: createLogger("error"), host: "127.0.0.1", port: 0 });
    try {
      expect(gateway.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(gateway.adminUrl).not.toBe(gateway.url);
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(404);
      const admin = await fetch(`${gateway.adminUrl}/metrics`);
      expect(admin.status).toBe(200);
      expect(await admin.text()).toContain("gateway_build_info");
    } finally {
      await gateway.stop(100);
      services.close();
      await backends.close();
    }
  });
});

describe("request logs", () => {
  test("one JSON line per request with every field", async () => {
    const stack = await startStack();
    try {
      const token = await tokenFor(stack, DEMO.premium);
      await call(stack.app, get("/search?query=log-fields", token, { "x-request-id": "log-fields-1" }));
      await afterResponses(stack); // the line is written after the response is sent
      const line = stack.logs
        .map((l) => JSON.parse(l))
        .find((l) => l.request_id === "log-fields-1" && l.msg === "request");
      expect(line).toMatchObject({
        level: "info",
        method: "GET",
        route: "/search",
        status: 200,
        user_id: expect.any(String),
        plan: "premium",
        cache: "MISS",
      });
      expect(Date.parse(line.time)).toBeGreaterThan(0);
      expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.duration_ms).toBeGreaterThan(0);
      expect(line.upstream_ms).toBeGreaterThan(0);
      expect(line.upstream_ms).toBeLessThanOrEqual(line.duration_ms);
    } finally {
      await stack.close();
    }
  });

  test("pretty format is one readable line", () => {
    const lines: string[] = [];
    createLogger("info", (l) => lines.push(l), {}, "pretty").info("request", { method: "GET", status: 200 });
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}request method=GET status=200$/);
  });
});

describe("tracing over OTLP/HTTP", () => {
  let backends: Awaited<ReturnType<typeof startBackends>>;
  let aggregator: FakeBackend;
  const received: unknown[] = [];
  let collector: ReturnType<typeof Bun.serve>;
  beforeAll(async () => {
    backends = await startBackends();
    aggregator = startFakeBackend(forwardTo(backends.aggregator.url));
    collector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async (request) => {
        if (new URL(request.url).pathname !== "/v1/traces") return new Response("no", { status: 404 });
        received.push(await request.json());
        return Response.json({});
      },
    });
  });
  afterAll(async () => {
    await Promise.all([aggregator.stop(), backends.close(), collector.stop(true)]);
  });

  type Span = { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number };
  const spans = () =>
    (received as { resourceSpans: { scopeSpans: { spans: Span[] }[] }[] }[]).flatMap((r) =>
      r.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );

  test("a span for the request and one per backend call, parented right, with the trace propagated", async () => {
    const logger = createLogger("error");
    const tracer = tracerFromEnv(
      { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}` },
      "test",
      logger,
    );
    const stack = await startStack({
      flags: { aggregatorUrl: aggregator.url, usersUrl: backends.users.url },
      tracer,
    });
    const token = await tokenFor(stack, DEMO.premium);
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const clientSpan = "b7ad6b7169203331";
    await call(
      stack.app,
      get("/search?query=traced", token, { traceparent: `00-${traceId}-${clientSpan}-01` }),
    );
    await call(
      stack.app,
      get("/search?query=unsampled", token, { traceparent: `00-${"1".repeat(32)}-${clientSpan}-00` }),
    );
    await tracer.shutdown();
    await stack.close();

    const mine = spans().filter((s) => s.traceId === traceId);
    const server = mine.find((s) => s.kind === 2);
    expect(server?.name).toBe("GET /search");
    expect(server?.parentSpanId).toBe(clientSpan);
    const calls = mine.filter((s) => s.kind === 3);
    expect(calls.map((s) => s.name).sort()).toEqual(["Aggregator call", "Users call"]);
    for (const c of calls) expect(c.parentSpanId).toBe(server?.spanId);
    const sent = aggregator.calls.at(-2)?.headers.get("traceparent");
    const aggregatorSpan = calls.find((s) => s.name === "Aggregator call");
    expect(sent).toBe(`00-${traceId}-${aggregatorSpan?.spanId}-01`);
    expect(spans().some((s) => s.traceId === "1".repeat(32))).toBe(false);
  });

  test("without an endpoint nothing is recorded or sent", () => {
    expect(tracerFromEnv({}, "test", createLogger("error")).recording).toBe(false);
  });
});
