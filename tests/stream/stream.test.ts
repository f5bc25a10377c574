import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { listenGrpc, type RunningGrpcService } from "../../src/reference/aggregator/grpc.ts";
import { createAggregatorApp } from "../../src/reference/aggregator/index.ts";
import { listen, type RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import type { RunningGateway } from "../../src/server.ts";
import type { Services } from "../../src/services/container.ts";
import { gatedMarketplaces } from "../helpers/gated-marketplaces.ts";
import { allEvents, isEvent, readSse, type SseItem } from "../helpers/sse.ts";
import { configFile, serveGateway } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * GET /search/stream over real sockets: a gateway on loopback, the reference Aggregator over HTTP
 * (NDJSON) and gRPC, one of its marketplaces held back by a gate the test opens, so the order of
 * events is asserted against what had happened upstream, never against the clock.
 */
const PREMIUM = { email: "premium@example.com" };
const FREE = { email: "free@example.com" };

const shops = gatedMarketplaces();
let users: RunningService;
let httpAggregator: RunningService;
let grpcAggregator: RunningGrpcService;
const gateways: { gateway: RunningGateway; services: Services }[] = [];

function boot(aggregatorUrl: string, flags: Record<string, unknown> = {}) {
  const started = serveGateway({ users, aggregator: { url: aggregatorUrl } }, flags, [], "info");
  gateways.push(started);
  return started;
}

beforeAll(async () => {
  users = await startUsersService({ port: 0 });
  httpAggregator = await listen(createAggregatorApp({ marketplaces: shops.marketplaces }), { port: 0 });
  grpcAggregator = await listenGrpc(shops.marketplaces, { port: 0 });
});
afterEach(() => shops.close());
afterAll(async () => {
  shops.open();
  await Promise.all(gateways.map(({ gateway }) => gateway.stop(100)));
  for (const { services } of gateways) services.close();
  await Promise.all([users.stop(), httpAggregator.stop(), grpcAggregator.stop()]);
});

async function stream(
  target: { gateway: RunningGateway; services: Services },
  query: string,
  init: { who?: { email: string }; signal?: AbortSignal; token?: string | null } = {},
): Promise<Response> {
  const token = init.token === undefined ? await tokenFor(target.services, init.who ?? PREMIUM) : init.token;
  return fetch(`${target.gateway.url}/search/stream?${query}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

type Event = { event: string; data: Record<string, unknown> };
const asEvent = (item: SseItem) => item as Event;

for (const transport of ["http", "grpc"] as const) {
  describe(`over ${transport === "http" ? "HTTP (NDJSON)" : "gRPC (server streaming)"}`, () => {
    let target: ReturnType<typeof boot>;
    beforeAll(() => {
      target = boot(transport === "http" ? httpAggregator.url : grpcAggregator.url);
    });

    test("a source event per marketplace as it answers, the first before the slowest has, then done", async () => {
      const { asked: askedBefore, answered: answeredBefore } = shops.counts(shops.slow);
      const response = await stream(target, `query=iphone&limit=5&categories=phones`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toStartWith("text/event-stream");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("x-accel-buffering")).toBe("no");
      expect(response.headers.get("x-cache")).toBe("MISS");
      expect(response.headers.get("ratelimit")).not.toBeNull();
      const items = readSse(response);
      const first = asEvent((await items.next()).value as SseItem);
      expect(first.event).toBe("source");
      // The slow shop was asked and has not answered: the gateway did not wait for it.
      expect(shops.counts(shops.slow).asked).toBe(askedBefore + 1);
      expect(shops.counts(shops.slow).answered).toBe(answeredBefore);
      expect(first.data.name).not.toBe(shops.slow);
      expect(first.data).toMatchObject({ ok: true, took_ms: expect.any(Number) });
      shops.open();
      const rest: Event[] = [];
      for await (const item of items) if (isEvent(item)) rest.push(item as Event);
      const events = [first, ...rest];
      expect(events.map((e) => e.event)).toEqual(["source", "source", "source", "done"]);
      // The slowest shop's event is the last source, and each shop is told once.
      expect(events[2]?.data.name).toBe(shops.slow);
      expect(new Set(events.slice(0, 3).map((e) => e.data.name)).size).toBe(3);
      for (const source of events.slice(0, 3)) {
        const results = source.data.results as { source: string }[];
        expect(results.length).toBeLessThanOrEqual(5);
        for (const product of results) expect(product.source).toBe(source.data.name as string);
      }
      const done = events[3]?.data as { results: unknown[]; sources: { name: string }[]; cached: boolean };
      expect(done).toMatchObject({ query: "iphone", categories: ["phones"], limit: 5, cached: false });
      expect(done.sources.map((s) => s.name).sort()).toEqual(["megamart", "pricehunter", "shopnow"]);

      // The completed stream stored its answer where /search reads it: the same results, a HIT.
      const token = await tokenFor(target.services, PREMIUM);
      const search = await fetch(`${target.gateway.url}/search?query=iphone&limit=5&categories=phones`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(search.headers.get("x-cache")).toBe("HIT");
      expect(((await search.json()) as { results: unknown[] }).results).toEqual(done.results);
    });

    test("a cached search streams its answer at once: one done event", async () => {
      shops.open();
      await allEvents(await stream(target, "query=macbook"));
      const asked = shops.counts(shops.slow).asked;
      const response = await stream(target, "query=macbook");
      expect(response.headers.get("x-cache")).toBe("HIT");
      const events = await allEvents(response);
      expect(events.map((e) => e.event)).toEqual(["done"]);
      expect(events[0]?.data).toMatchObject({ query: "macbook", cached: true });
      expect(shops.counts(shops.slow).asked).toBe(asked);
    });

    test("two identical concurrent streams share one upstream stream, and both hear every event", async () => {
      const asked = shops.counts(shops.slow).asked;
      const joinedBefore = target.services.streams.coalesced;
      const [a, b] = await Promise.all([stream(target, "query=galaxy"), stream(target, "query=galaxy")]);
      const readers = [readSse(a), readSse(b)];
      // Both have their first source before the slow shop answered: one of them joined the other's.
      const firsts = await Promise.all(readers.map(async (r) => asEvent((await r.next()).value as SseItem)));
      expect(firsts.map((e) => e.event)).toEqual(["source", "source"]);
      expect(shops.counts(shops.slow).asked).toBe(asked + 1);
      expect(target.services.streams.coalesced).toBe(joinedBefore + 1);
      shops.open();
      const rests = await Promise.all(
        readers.map(async (r) => {
          const events: Event[] = [];
          for await (const item of r) if (isEvent(item)) events.push(item as Event);
          return events;
        }),
      );
      for (const [i, rest] of rests.entries()) {
        expect([firsts[i], ...rest].map((e) => e?.event)).toEqual(["source", "source", "source", "done"]);
      }
      // Each client's own request id in its done, over one shared answer.
      const dones = rests.map((rest) => rest.at(-1)?.data as { request_id: string; results: unknown[] });
      expect(dones[0]?.request_id).toBe(a.headers.get("x-request-id") as string);
      expect(dones[1]?.request_id).toBe(b.headers.get("x-request-id") as string);
      expect(dones[0]?.results).toEqual(dones[1]?.results as unknown[]);
      expect(shops.counts(shops.slow).asked).toBe(asked + 1);
    });
  });
}

describe("the stream's end", () => {
  test("the gateway's deadline ends it with an error event that is problem+json (504)", async () => {
    const target = boot(httpAggregator.url, { deadlineMs: 400 });
    const answered = shops.counts(shops.slow).answered;
    const response = await stream(target, "query=ipad");
    expect(response.status).toBe(200);
    const events = (await allEvents(response)) as Event[];
    // The two fast shops were told; the slow one never answered; the error is last.
    expect(events.map((e) => e.event)).toEqual(["source", "source", "error"]);
    expect(events[2]?.data).toMatchObject({
      type: "/problems/upstream-timeout",
      status: 504,
      request_id: response.headers.get("x-request-id") as string,
    });
    expect(shops.counts(shops.slow).answered).toBe(answered);
  });

  test("heartbeat comments go out while it waits", async () => {
    const target = boot(httpAggregator.url, { streamHeartbeatMs: 20, cacheTtl: 0 });
    const response = await stream(target, "query=pixel");
    const seen: SseItem[] = [];
    for await (const item of readSse(response)) {
      seen.push(item);
      if ("comment" in item && item.comment === "heartbeat") shops.open();
    }
    expect(seen.some((item) => "comment" in item && item.comment === "heartbeat")).toBe(true);
    // Heartbeats came before the slow shop answered (it waited for the first one), and done is last.
    const events = seen.filter(isEvent);
    expect(events.at(-1)?.event).toBe("done");
    const firstBeat = seen.findIndex((item) => "comment" in item);
    const slowSource = seen.findIndex((item) => isEvent(item) && (item as Event).data.name === shops.slow);
    expect(firstBeat).toBeLessThan(slowSource);
  });
});

describe("refused before the stream starts: ordinary problem+json answers", () => {
  let target: ReturnType<typeof boot>;
  beforeAll(() => {
    const plans = { free: { searchesPerDay: 1 } };
    target = boot(httpAggregator.url, { config: configFile({ plans }) });
  });

  const problemOf = async (response: Response) => {
    expect(response.headers.get("content-type")).toStartWith("application/problem+json");
    return (await response.json()) as { status: number; type: string };
  };

  test("401 without a token", async () => {
    const response = await stream(target, "query=iphone", { token: null });
    expect(response.status).toBe(401);
    expect(await problemOf(response)).toMatchObject({ type: "/problems/unauthorized" });
  });

  test("422 for an invalid search, 403 beyond the plan's categories", async () => {
    const invalid = await stream(target, "query=%20%20");
    expect(invalid.status).toBe(422);
    expect(await problemOf(invalid)).toMatchObject({ type: "/problems/invalid-input" });
    const forbidden = await stream(target, "query=iphone&categories=a,b,c", { who: FREE });
    expect(forbidden.status).toBe(403);
    await problemOf(forbidden);
  });

  test("429 once the day's quota is used, with the RateLimit headers; /search counts the same quota", async () => {
    shops.open();
    const first = await stream(target, "query=kindle", { who: FREE });
    expect(first.status).toBe(200);
    await allEvents(first);
    const second = await stream(target, "query=kindle", { who: FREE });
    expect(second.status).toBe(429);
    expect(second.headers.get("ratelimit")).not.toBeNull();
    expect(await problemOf(second)).toMatchObject({ type: "/problems/quota-exceeded" });
    const token = await tokenFor(target.services, FREE);
    const search = await fetch(`${target.gateway.url}/search?query=other`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(search.status).toBe(429);
  });
});
