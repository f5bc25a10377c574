import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { createAggregatorApp } from "../../src/reference/aggregator/index.ts";
import { listen, type RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import type { RunningGateway } from "../../src/server.ts";
import type { Services } from "../../src/services/container.ts";
import { gatedMarketplaces } from "../helpers/gated-marketplaces.ts";
import { strictExposition } from "../helpers/prometheus-text.ts";
import { allEvents, readSse } from "../helpers/sse.ts";
import { serveGateway } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * A stream's access log line and metrics, from a gateway on loopback: the line is written when the
 * stream ends, with what it sent and how it ended, and /metrics shows the streams open and ended.
 */
const shops = gatedMarketplaces();
let users: RunningService;
let aggregator: RunningService;
const started: { gateway: RunningGateway; services: Services; logs: string[] }[] = [];

beforeAll(async () => {
  users = await startUsersService({ port: 0 });
  aggregator = await listen(createAggregatorApp({ marketplaces: shops.marketplaces }), { port: 0 });
});
afterEach(() => shops.close());
afterAll(async () => {
  shops.open();
  await Promise.all(started.map(({ gateway }) => gateway.stop(100)));
  for (const { services } of started) services.close();
  await Promise.all([users.stop(), aggregator.stop()]);
});

function boot(flags: Record<string, unknown> = {}) {
  const logs: string[] = [];
  const one = { ...serveGateway({ users, aggregator }, { cacheTtl: 0, ...flags }, logs, "info"), logs };
  started.push(one);
  return one;
}

async function open(target: ReturnType<typeof boot>, query: string, signal?: AbortSignal) {
  const token = await tokenFor(target.services, { email: "premium@example.com" });
  const response = await fetch(`${target.gateway.url}/search/stream?${query}`, {
    headers: { authorization: `Bearer ${token}` },
    ...(signal ? { signal } : {}),
  });
  return { response, token, id: response.headers.get("x-request-id") as string };
}

/** The access log line of one request, once it is written (polled: it follows the stream's end). */
async function lineOf(target: ReturnType<typeof boot>, requestId: string): Promise<Record<string, unknown>> {
  for (;;) {
    const raw = target.logs.find((l) => l.includes('"msg":"request"') && l.includes(requestId));
    if (raw) return JSON.parse(raw) as Record<string, unknown>;
    await Bun.sleep(5);
  }
}

async function scrape(target: ReturnType<typeof boot>) {
  const families = strictExposition(await (await fetch(`${target.gateway.url}/metrics`)).text());
  const value = (name: string, labels: Record<string, string> = {}) =>
    families
      .find((f) => f.name === name)
      ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  return {
    open: value("gateway_search_streams_open"),
    ended: (outcome: string) => value("gateway_search_streams_total", { outcome }),
  };
}

test("the line is written when the stream ends: its real duration, its events, outcome done; never the token", async () => {
  const target = boot();
  const before = await scrape(target);
  const { response, token, id } = await open(target, "query=iphone");
  const items = readSse(response);
  expect((await items.next()).value).toMatchObject({ event: "source" });
  const heldFrom = performance.now();
  // Headers and a first event are out, and the stream is still open: no line yet, counted as open.
  expect(target.logs.some((l) => l.includes(id))).toBe(false);
  expect((await scrape(target)).open).toBe(1);
  await Bun.sleep(100);
  const held = performance.now() - heldFrom;
  shops.open();
  for await (const _ of items);
  const line = await lineOf(target, id);
  expect(line).toMatchObject({
    route: "/search/stream",
    status: 200,
    cache: "MISS",
    stream_outcome: "done",
    stream_events: 4,
  });
  // The gateway was still streaming for all of `held`, so its duration covers it.
  expect(line.duration_ms as number).toBeGreaterThanOrEqual(held);
  expect(target.logs.join("\n")).not.toContain(token);
  const after = await scrape(target);
  expect(after.open).toBe(0);
  expect(after.ended("done")).toBe(before.ended("done") + 1);
});

test("a client that goes away: outcome disconnect, with the events it was sent", async () => {
  const target = boot();
  const before = await scrape(target);
  const abort = new AbortController();
  const { response, id } = await open(target, "query=galaxy", abort.signal);
  expect((await readSse(response).next()).value).toMatchObject({ event: "source" });
  abort.abort();
  const line = await lineOf(target, id);
  expect(line.stream_outcome).toBe("disconnect");
  // The two fast shops may both have been told before the client left; the slow one never was.
  expect([1, 2]).toContain(line.stream_events as number);
  const after = await scrape(target);
  expect(after.open).toBe(0);
  expect(after.ended("disconnect")).toBe(before.ended("disconnect") + 1);
});

test("an error event (the deadline): outcome error, the error counted as an event", async () => {
  const target = boot({ deadlineMs: 400 });
  const { response, id } = await open(target, "query=ipad");
  expect((await allEvents(response)).map((e) => e.event)).toEqual(["source", "source", "error"]);
  expect(await lineOf(target, id)).toMatchObject({ stream_outcome: "error", stream_events: 3, status: 200 });
  expect((await scrape(target)).ended("error")).toBe(1);
});

test("a search that is not a stream has no stream fields in its line", async () => {
  const target = boot();
  shops.open();
  const token = await tokenFor(target.services, { email: "premium@example.com" });
  const response = await fetch(`${target.gateway.url}/search?query=kindle`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const line = await lineOf(target, response.headers.get("x-request-id") as string);
  expect(line.route).toBe("/search");
  expect("stream_outcome" in line).toBe(false);
  expect("stream_events" in line).toBe(false);
});
