import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Server, ServerCredentials, type ServerWritableStream, status } from "@grpc/grpc-js";
import { aggregatorService } from "../../src/models/aggregator-grpc.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import type { RunningGateway } from "../../src/server.ts";
import type { Services } from "../../src/services/container.ts";
import { type FakeBackend, startFakeBackend } from "../helpers/fake-backend.ts";
import { allEvents, readSse } from "../helpers/sse.ts";
import { serveGateway } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * The gateway's streaming clients against Aggregators that misbehave or lack the endpoint, on real
 * sockets: the Aggregator's side observes what the gateway did (a closed connection, a cancelled call).
 */
const product = (source: string, n: number) => ({
  id: `${source}:${n}`,
  title: `Phone ${n}`,
  price: 100 + n,
  currency: "USD",
  url: `https://${source}.example/p/${n}`,
  source,
});
const sourceLine = (name: string) =>
  `${JSON.stringify({ source: { name, ok: true, took_ms: 1, results: [product(name, 1)] } })}\n`;

let users: RunningService;
const gateways: { gateway: RunningGateway; services: Services }[] = [];
const fakes: FakeBackend[] = [];

beforeAll(async () => {
  users = await startUsersService({ port: 0 });
});
afterAll(async () => {
  await Promise.all(gateways.map(({ gateway }) => gateway.stop(100)));
  for (const { services } of gateways) services.close();
  await Promise.all(fakes.map((fake) => fake.stop()));
  await users.stop();
});

function boot(aggregatorUrl: string, flags: Record<string, unknown> = {}) {
  const started = serveGateway({ users, aggregator: { url: aggregatorUrl } }, { retries: 0, ...flags });
  gateways.push(started);
  return started;
}

async function open(target: ReturnType<typeof boot>, query: string, signal?: AbortSignal) {
  const token = await tokenFor(target.services, { email: "premium@example.com" });
  return fetch(`${target.gateway.url}/search/stream?${query}`, {
    headers: { authorization: `Bearer ${token}` },
    ...(signal ? { signal } : {}),
  });
}

function fake(behave: Parameters<typeof startFakeBackend>[0]): FakeBackend {
  const backend = startFakeBackend(behave);
  fakes.push(backend);
  return backend;
}

const ndjson = (body: ReadableStream<Uint8Array> | string) =>
  new Response(body, { headers: { "content-type": "application/x-ndjson" } });

describe("a client that disconnects cancels the upstream call", () => {
  test("HTTP: the Aggregator sees its NDJSON connection closed", async () => {
    let closed!: () => void;
    const upstreamClosed = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const aggregator = fake((request) => {
      request.signal.addEventListener("abort", () => closed());
      const encoder = new TextEncoder();
      return ndjson(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode(sourceLine("shopnow")));
            // Nothing more: the other shops never answer while this client is there.
          },
          cancel: () => closed(),
        }),
      );
    });
    const target = boot(aggregator.url, { cacheTtl: 0 });
    const abort = new AbortController();
    const response = await open(target, "query=phone", abort.signal);
    const first = await readSse(response).next();
    expect(first.value).toMatchObject({ event: "source", data: { name: "shopnow" } });
    abort.abort();
    // Resolves only when the Aggregator's side of the call is gone; the test's timeout fails it otherwise.
    await upstreamClosed;
    while (target.services.streams.live > 0) await Bun.sleep(5);
    expect(target.services.streams.live).toBe(0);
  });

  test("gRPC: the Aggregator's SearchStream call is cancelled", async () => {
    let cancelled!: () => void;
    const upstreamCancelled = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    const server = new Server();
    server.addService(aggregatorService, {
      SearchStream: (call: ServerWritableStream<unknown, unknown>) => {
        call.on("cancelled", () => cancelled());
        call.write({ source: { name: "shopnow", ok: true, took_ms: 1, results: [product("shopnow", 1)] } });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const target = boot(`grpc://127.0.0.1:${port}`, { cacheTtl: 0 });
      const abort = new AbortController();
      const response = await open(target, "query=phone", abort.signal);
      const first = await readSse(response).next();
      expect(first.value).toMatchObject({ event: "source", data: { name: "shopnow" } });
      abort.abort();
      await upstreamCancelled;
    } finally {
      server.forceShutdown();
    }
  });
});

describe("an Aggregator without the stream endpoint, or one that breaks the stream contract", () => {
  test("HTTP 404 on /v1/search/stream: one unary search, told as a source per entry of its sources, then done", async () => {
    const aggregator = fake(async (request) => {
      const path = new URL(request.url).pathname;
      if (path !== "/v1/search") return new Response("not found", { status: 404 });
      const { request_id } = (await request.json()) as { request_id: string };
      return Response.json({
        request_id,
        results: [product("a", 1), product("b", 2), product("a", 3)],
        sources: [
          { name: "a", ok: true, took_ms: 3 },
          { name: "b", ok: false, took_ms: 9 },
        ],
      });
    });
    const target = boot(aggregator.url);
    const events = await allEvents(await open(target, "query=phone"));
    expect(events.map((e) => e.event)).toEqual(["source", "source", "done"]);
    expect(events[0]?.data).toMatchObject({ name: "a", ok: true, results: [{ id: "a:1" }, { id: "a:3" }] });
    expect(events[1]?.data).toMatchObject({ name: "b", ok: false, results: [{ id: "b:2" }] });
    expect(events[2]?.data).toMatchObject({ results: [{}, {}, {}] });
    expect(aggregator.calls.map((call) => new URL(call.url).pathname)).toEqual([
      "/v1/search/stream",
      "/v1/search",
    ]);
  });

  test("gRPC UNIMPLEMENTED: the same fall back to Search", async () => {
    const server = new Server();
    server.addService(aggregatorService, {
      Search: (call: { request: { request_id: string } }, callback: (e: null, v: unknown) => void) =>
        callback(null, {
          request_id: call.request.request_id,
          results: [product("a", 1)],
          sources: [{ name: "a", ok: true, took_ms: 1 }],
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const target = boot(`grpc://127.0.0.1:${port}`);
      const events = await allEvents(await open(target, "query=phone"));
      expect(events.map((e) => e.event)).toEqual(["source", "done"]);
      expect(events[0]?.data).toMatchObject({ name: "a", results: [{ id: "a:1" }] });
    } finally {
      server.forceShutdown();
    }
  });

  test("a line that breaks the contract mid-stream ends it with a 502 error event, never forwarded", async () => {
    const aggregator = fake(() => ndjson(`${sourceLine("shopnow")}{"source":{"name":"x","ok":"yes"}}\n`));
    const target = boot(aggregator.url);
    const events = await allEvents(await open(target, "query=phone"));
    expect(events.map((e) => e.event)).toEqual(["source", "error"]);
    expect(events[1]?.data).toMatchObject({ type: "/problems/bad-upstream", status: 502 });
    expect(JSON.stringify(events)).not.toContain('"yes"');
  });

  test("a stream that ends without done is a 502 too, and nothing is cached", async () => {
    const aggregator = fake(() => ndjson(sourceLine("shopnow")));
    const target = boot(aggregator.url);
    for (let i = 0; i < 2; i++) {
      const events = await allEvents(await open(target, "query=phone"));
      expect(events.map((e) => e.event)).toEqual(["source", "error"]);
      expect(events[1]?.data).toMatchObject({ status: 502 });
    }
    expect(aggregator.calls).toHaveLength(2);
  });

  test("an Aggregator that fails the stream with UNAVAILABLE: an error event, 503", async () => {
    const server = new Server();
    server.addService(aggregatorService, {
      SearchStream: (call: ServerWritableStream<unknown, unknown>) =>
        call.emit("error", { code: status.UNAVAILABLE, details: "down" }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    try {
      const target = boot(`grpc://127.0.0.1:${port}`);
      const events = await allEvents(await open(target, "query=phone"));
      expect(events.map((e) => e.event)).toEqual(["error"]);
      expect(events[0]?.data).toMatchObject({ status: 503, type: "/problems/upstream-unavailable" });
    } finally {
      server.forceShutdown();
    }
  });
});
