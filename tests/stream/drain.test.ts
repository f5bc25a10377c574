import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAggregatorApp } from "../../src/reference/aggregator/index.ts";
import { listen, type RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import type { RunningGateway } from "../../src/server.ts";
import type { Services } from "../../src/services/container.ts";
import { type FakeBackend, startFakeBackend } from "../helpers/fake-backend.ts";
import { gatedMarketplaces } from "../helpers/gated-marketplaces.ts";
import { heldStream } from "../helpers/held-stream.ts";
import { isEvent, readSse, type SseItem } from "../helpers/sse.ts";
import { serveGateway } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * Open streams while the gateway drains (RunningGateway.stop, what SIGTERM runs), on real sockets: the
 * drain waits for a stream that will end in time and ends one that would not with a 503 event.
 */
let users: RunningService;
let held: ReturnType<typeof heldStream>;
let heldAggregator: FakeBackend;
const shops = gatedMarketplaces();
let gatedAggregator: RunningService;
const started: { gateway: RunningGateway; services: Services; logs: string[] }[] = [];

beforeAll(async () => {
  users = await startUsersService({ port: 0 });
  held = heldStream();
  heldAggregator = startFakeBackend(held.behave);
  gatedAggregator = await listen(createAggregatorApp({ marketplaces: shops.marketplaces }), { port: 0 });
});
afterAll(async () => {
  shops.open();
  await Promise.all(started.map(({ gateway }) => gateway.stop(100)));
  for (const { services } of started) services.close();
  await Promise.all([users.stop(), heldAggregator.stop(), gatedAggregator.stop()]);
});

function boot(aggregatorUrl: string, flags: Record<string, unknown>) {
  const logs: string[] = [];
  const one = {
    ...serveGateway(
      { users, aggregator: { url: aggregatorUrl } },
      { retries: 0, cacheTtl: 0, ...flags },
      logs,
      "info",
    ),
    logs,
  };
  started.push(one);
  return one;
}

async function stream(target: ReturnType<typeof boot>, query: string): Promise<Response> {
  const token = await tokenFor(target.services, { email: "premium@example.com" });
  return fetch(`${target.gateway.url}/search/stream?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

/** The rest of a stream; throws if the connection is cut instead of ended. */
async function rest(items: AsyncGenerator<SseItem>) {
  const events: { event: string; data: Record<string, unknown> }[] = [];
  for await (const item of items) if (isEvent(item)) events.push(item as (typeof events)[number]);
  return events;
}

const requestLines = (logs: string[]) =>
  logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.msg === "request");

describe("a stream open when the drain starts", () => {
  test("that would outlive the drain ends at once with a 503 error event, its upstream call cancelled", async () => {
    // A deadline far past the drain's end: left alone, the drain timeout would cut the connection.
    const target = boot(heldAggregator.url, { deadlineMs: 60_000 });
    const response = await stream(target, "query=phone");
    const items = readSse(response);
    expect((await items.next()).value).toMatchObject({ event: "source", data: { name: "shopnow" } });
    const closedBefore = held.closed;
    let stopped = false;
    const stopping = target.gateway.stop(30_000).then(() => {
      stopped = true;
    });
    const events = await rest(items);
    expect(events.map((e) => e.event)).toEqual(["error"]);
    expect(events[0]?.data).toEqual({
      type: "/problems/shutting-down",
      title: "Service unavailable",
      status: 503,
      detail: "The gateway is shutting down; retry.",
      request_id: response.headers.get("x-request-id") as string,
      retry_after: 1,
    });
    await held.closedAtLeast(closedBefore + 1);
    // Nothing left in flight: the drain ends long before its 30 s, without closing connections by force.
    await stopping;
    expect(stopped).toBe(true);
    expect(target.logs.some((line) => line.includes("drain timeout"))).toBe(false);
    expect(requestLines(target.logs).at(-1)).toMatchObject({
      route: "/search/stream",
      status: 200,
      stream_outcome: "shutdown",
      stream_events: 2,
    });
    expect(target.services.metrics.render()).toContain('gateway_search_streams_total{outcome="shutdown"} 1');
  });

  test("that will end within the drain counts as in flight and runs to its done", async () => {
    // The default 5 s deadline ends well inside a 60 s drain.
    const target = boot(gatedAggregator.url, {});
    const response = await stream(target, "query=iphone");
    const items = readSse(response);
    expect((await items.next()).value).toMatchObject({ event: "source" });
    let stopped = false;
    const stopping = target.gateway.stop(60_000).then(() => {
      stopped = true;
    });
    // The drain is waiting on this stream: it is a request in flight, and stop() has not returned.
    await Bun.sleep(50);
    expect(target.services.metrics.inFlight).toBe(1);
    expect(stopped).toBe(false);
    shops.open();
    const events = await rest(items);
    expect(events.map((e) => e.event)).toEqual(["source", "source", "done"]);
    await stopping;
    expect(target.services.metrics.inFlight).toBe(0);
    expect(target.logs.some((line) => line.includes("drain timeout"))).toBe(false);
    shops.close();
  });
});

test("while draining, a stream that could not end in time is refused before it starts: 503 with Retry-After", async () => {
  const target = boot(heldAggregator.url, { deadlineMs: 60_000 });
  const token = await tokenFor(target.services, { email: "premium@example.com" });
  const calls = heldAggregator.calls.length;
  // The drain delay keeps the listener open while /readyz says draining.
  const stopping = target.gateway.stop(100, 300);
  const response = await fetch(`${target.gateway.url}/search/stream?query=late`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(503);
  expect(response.headers.get("content-type")).toStartWith("application/problem+json");
  expect(response.headers.get("retry-after")).toBe("1");
  expect(await response.json()).toMatchObject({ type: "/problems/shutting-down", retry_after: 1 });
  expect(heldAggregator.calls.length).toBe(calls);
  await stopping;
});
