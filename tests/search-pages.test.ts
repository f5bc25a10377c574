import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { status } from "@grpc/grpc-js";
import { UNSUPPORTED_PARAMETER_TRAILER } from "../src/models/aggregator-grpc.ts";
import { startAggregatorService } from "../src/reference/aggregator/index.ts";
import type { RunningService } from "../src/reference/service.ts";
import { startUsersService } from "../src/reference/users/index.ts";
import type { RunningGateway } from "../src/server.ts";
import type { Services } from "../src/services/container.ts";
import { aggregatorAnswer, type FakeBackend, startFakeBackend } from "./helpers/fake-backend.ts";
import {
  type FakeGrpcAggregator,
  grpcFaults,
  startFakeGrpcAggregator,
} from "./helpers/fake-grpc-aggregator.ts";
import { DEMO } from "./helpers/http.ts";
import { allEvents } from "./helpers/sse.ts";
import { serveGateway } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

// Over real sockets: the gateway on port 0 in front of the reference Aggregator, on HTTP and on gRPC.
type Product = { id: string; price: number; rating?: number };
type Answer = { results: Product[]; next_cursor: string | null; page: number; rate_date?: string };

let users: RunningService;
let aggregator: RunningService;
const gateways: { gateway: RunningGateway; services: Services }[] = [];
let http: { gateway: RunningGateway; services: Services };
let grpc: { gateway: RunningGateway; services: Services };
let token: string;

function serve(aggregatorUrl: string) {
  const served = serveGateway({ users, aggregator: { url: aggregatorUrl } });
  gateways.push(served);
  return served;
}

beforeAll(async () => {
  [users, aggregator] = await Promise.all([
    startUsersService({ port: 0 }),
    startAggregatorService({ port: 0, grpcPort: 0 }),
  ]);
  http = serve(aggregator.url);
  grpc = serve(aggregator.grpcUrl as string);
  token = await tokenFor(http, DEMO.premium);
});
afterAll(async () => {
  for (const { gateway, services } of gateways) {
    await gateway.stop();
    services.close();
  }
  await Promise.all([users.stop(), aggregator.stop()]);
});

async function get(gateway: RunningGateway, query: string, bearer = token) {
  const response = await fetch(`${gateway.url}/search?${query}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** Every page of a search, following next_cursor to its end. */
async function walk(gateway: RunningGateway, query: string): Promise<Answer[]> {
  const pages: Answer[] = [];
  let cursor: string | null = null;
  do {
    const { status: code, body } = await get(gateway, cursor ? `${query}&cursor=${cursor}` : query);
    expect(code).toBe(200);
    pages.push(body as Answer);
    cursor = (body as Answer).next_cursor;
  } while (cursor !== null && pages.length < 60);
  return pages;
}

/** The Aggregator's own full list, in one call: what the pages together must be. */
async function fullList(body: Record<string, unknown>): Promise<string[]> {
  const response = await fetch(`${aggregator.url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ request_id: "full", categories: [], limit: 1000, ...body }),
  });
  return ((await response.json()) as Answer).results.map((p) => p.id);
}

describe("pages over a real socket", () => {
  for (const sort of ["relevance", "price_asc", "price_desc", "rating_desc"] as const) {
    for (const transport of ["http", "grpc"] as const) {
      test(`${sort} over ${transport}: the pages together are the full sorted list, none repeated or skipped`, async () => {
        const gateway = (transport === "http" ? http : grpc).gateway;
        const pages = await walk(gateway, `query=galaxy&limit=7&sort=${sort}&currency=USD`);
        expect(pages.length).toBeGreaterThan(3);
        expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i + 1));
        const ids = pages.flatMap((p) => p.results.map((r) => r.id));
        expect(new Set(ids).size).toBe(ids.length);
        const full = await fullList({
          query: "galaxy",
          currency: "USD",
          ...(sort === "relevance" ? {} : { sort }),
        });
        expect(ids).toEqual(full);
        expect(pages.at(-1)?.next_cursor).toBeNull();
        for (const page of pages) expect(page.rate_date).toBe("2026-11-30");
      });
    }
  }

  test("a cursor issued by one instance opens on another with the same secret", async () => {
    const first = await get(http.gateway, "query=pixel&limit=3&sort=price_asc");
    const next = await get(
      grpc.gateway,
      `query=pixel&limit=3&sort=price_asc&cursor=${first.body.next_cursor}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.page).toBe(2);
  });

  test("the 422s, as a client over the socket sees them", async () => {
    for (const query of [
      "min_price=10&max_price=5",
      "min_price=-1",
      "max_price=abc",
      "currency=XYZ",
      "sort=cheapest",
      "sources=",
      "sources=Bad_Name",
    ]) {
      const answer = await get(http.gateway, `query=iphone&${query}`);
      expect(answer.status).toBe(422);
      expect(answer.type).toStartWith("application/problem+json");
    }
  });

  test("a free user: page 6 is a 403 naming the plan's limit, and pages 2-5 spent no daily search", async () => {
    const free = await tokenFor(http, DEMO.free);
    const dayLeft = async () => {
      const response = await fetch(`${http.gateway.url}/profile`, {
        headers: { authorization: `Bearer ${free}` },
      });
      return ((await response.json()) as { usage: { day: { remaining: number } } }).usage.day.remaining;
    };
    const before = await dayLeft();
    let cursor: unknown = null;
    for (let page = 1; page <= 5; page++) {
      const answer = await get(
        http.gateway,
        `query=phone&limit=3&sources=shopnow${cursor ? `&cursor=${cursor}` : ""}`,
        free,
      );
      expect([page, answer.status]).toEqual([page, 200]);
      cursor = answer.body.next_cursor;
    }
    expect(await dayLeft()).toBe(before - 1);
    const sixth = await get(http.gateway, `query=phone&limit=3&sources=shopnow&cursor=${cursor}`, free);
    expect(sixth.status).toBe(403);
    expect(sixth.type).toStartWith("application/problem+json");
    expect(sixth.body.detail).toContain("at most page 5");
  });

  test("sources over the socket: only those marketplaces' offers", async () => {
    const answer = await get(grpc.gateway, "query=laptop&limit=50&sources=megamart");
    expect(answer.status).toBe(200);
    const results = answer.body.results as { source: string }[];
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results.map((r) => r.source))).toEqual(new Set(["megamart"]));
  });

  test("a tampered cursor is a 400 problem over the socket", async () => {
    const first = await get(http.gateway, "query=pixel&limit=3");
    const cursor = first.body.next_cursor as string;
    const flipped = `${cursor.slice(0, 10)}${cursor[10] === "A" ? "B" : "A"}${cursor.slice(11)}`;
    const answer = await get(http.gateway, `query=pixel&limit=3&cursor=${flipped}`);
    expect(answer.status).toBe(400);
    expect(answer.type).toStartWith("application/problem+json");
    expect(answer.body.type).toBe("/problems/invalid-cursor");
  });
});

describe("the stream takes the same parameters", () => {
  const stream = (gateway: RunningGateway, query: string) =>
    fetch(`${gateway.url}/search/stream?${query}`, { headers: { authorization: `Bearer ${token}` } });

  for (const transport of ["http", "grpc"] as const) {
    test(`over ${transport}: sources filtered, sorted and converted; done is /search's page with its cursor`, async () => {
      const gateway = (transport === "http" ? http : grpc).gateway;
      const query =
        "query=galaxy&limit=4&sort=price_desc&currency=EUR&sources=megamart,shopnow&max_price=900";
      const response = await stream(gateway, query);
      expect(response.status).toBe(200);
      const events = await allEvents(response);
      const sources = events
        .filter((e) => e.event === "source")
        .map((e) => e.data as { name: string; results: Product[] & { currency: string }[] });
      expect(sources.map((s) => s.name).sort()).toEqual(["megamart", "shopnow"]);
      for (const source of sources) {
        const prices = source.results.map((r) => r.price);
        expect(prices).toEqual([...prices].sort((a, b) => b - a));
        for (const r of source.results) expect([r.currency, r.price <= 900]).toEqual(["EUR", true]);
      }
      const done = events.at(-1) as { event: string; data: Answer };
      expect(done.event).toBe("done");
      expect(done.data.page).toBe(1);
      expect(done.data.rate_date).toBe("2026-11-30");
      const plain = await get(gateway, query);
      expect(done.data.results).toEqual(plain.body.results as Product[]);
      // Its cursor opens page 2, on /search and on the stream alike.
      const second = await get(gateway, `${query}&cursor=${done.data.next_cursor}`);
      expect(second.body.page).toBe(2);
      const secondStream = await allEvents(await stream(gateway, `${query}&cursor=${done.data.next_cursor}`));
      const secondDone = secondStream.at(-1) as { data: Answer };
      expect(secondDone.data.results).toEqual(second.body.results as Product[]);
    });
  }

  for (const transport of ["http", "grpc"] as const) {
    test(`over ${transport}: a currency the Aggregator has no rate for ends the stream naming the parameter`, async () => {
      const gateway = (transport === "http" ? http : grpc).gateway;
      const events = await allEvents(await stream(gateway, "query=iphone&currency=BRL"));
      expect(events.map((e) => e.event)).toEqual(["error"]);
      expect(events[0]?.data).toMatchObject({
        type: "/problems/unsupported-parameter",
        parameter: "currency",
      });
    });
  }
});

describe("an Aggregator that does not support a parameter", () => {
  let fake: FakeBackend;
  let fakeGrpc: FakeGrpcAggregator;
  let overHttp: RunningGateway;
  let overGrpc: RunningGateway;
  beforeAll(async () => {
    fake = startFakeBackend(aggregatorAnswer());
    fakeGrpc = await startFakeGrpcAggregator(grpcFaults.answer());
    overHttp = serve(fake.url).gateway;
    overGrpc = serve(fakeGrpc.url).gateway;
  });
  afterAll(async () => {
    fake.stop();
    await fakeGrpc.stop();
  });

  const refuse = (parameter: string) => () =>
    new Response(
      JSON.stringify({ type: "https://agg.example/unsupported-parameter", status: 400, parameter }),
      { status: 400, headers: { "content-type": "application/problem+json" } },
    );

  test("over HTTP: its 400 naming `sort` is the client's 400 naming `sort`", async () => {
    fake.behave(refuse("sort"));
    const answer = await get(overHttp, "query=iphone&sort=price_asc");
    expect(answer.status).toBe(400);
    expect(answer.type).toStartWith("application/problem+json");
    expect(answer.body).toMatchObject({ type: "/problems/unsupported-parameter", parameter: "sort" });
    expect(answer.body.detail).toContain('"sort"');
  });

  // A streamed body has no Content-Length (chunked): once read only when declared, now read up to 16 KiB.
  const chunked = (text: string) => () =>
    new Response(
      // Two chunks with a pause between, so Bun cannot buffer the body and declare its length.
      new ReadableStream({
        async start(controller) {
          const bytes = new TextEncoder().encode(text);
          controller.enqueue(bytes.subarray(0, 10));
          await Bun.sleep(5);
          controller.enqueue(bytes.subarray(10));
          controller.close();
        },
      }),
      { status: 400, headers: { "content-type": "application/problem+json" } },
    );

  test("over HTTP: a chunked 400 naming `min_price` is the client's 400 naming it", async () => {
    fake.behave(chunked(JSON.stringify({ type: "about:blank", status: 400, parameter: "min_price" })));
    const answer = await get(overHttp, "query=iphone&min_price=10");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ type: "/problems/unsupported-parameter", parameter: "min_price" });
  });

  test("over HTTP: a chunked 400 over 16 KiB is not read: it stays a 502", async () => {
    const padding = "x".repeat(20 * 1024);
    fake.behave(chunked(JSON.stringify({ status: 400, parameter: "min_price", padding })));
    const answer = await get(overHttp, "query=iphone&min_price=11");
    expect(answer.status).toBe(502);
  });

  test("over HTTP: a name the gateway never sends is not repeated: the 400 stays a 502", async () => {
    fake.behave(refuse("<script>"));
    const answer = await get(overHttp, "query=iphone&sort=price_desc");
    expect(answer.status).toBe(502);
    expect(JSON.stringify(answer.body)).not.toContain("script");
  });

  test("over gRPC: INVALID_ARGUMENT with the trailer naming `sources` is the client's 400 naming it", async () => {
    fakeGrpc.behave(() => ({
      error: {
        code: status.INVALID_ARGUMENT,
        details: "nope",
        trailers: { [UNSUPPORTED_PARAMETER_TRAILER]: "sources" },
      },
    }));
    const answer = await get(overGrpc, "query=iphone&sources=shopnow");
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ type: "/problems/unsupported-parameter", parameter: "sources" });
    expect(fakeGrpc.calls.at(-1)?.request.sources).toEqual(["shopnow"]);
  });

  test("an Aggregator that knows none of it still serves a plain search, as one page", async () => {
    fake.behave(aggregatorAnswer());
    fakeGrpc.behave(grpcFaults.answer());
    for (const gateway of [overHttp, overGrpc]) {
      const answer = await get(gateway, "query=iphone");
      expect(answer.status).toBe(200);
      expect(answer.body.next_cursor).toBeNull();
      expect(answer.body.page).toBe(1);
    }
    // A plain search sends none of the new fields, so such an Aggregator never sees them.
    const sent = fakeGrpc.calls.at(-1)?.request as unknown as Record<string, unknown>;
    for (const field of ["sort", "min_price", "max_price", "currency", "offset"])
      expect(sent[field] ?? null).toBeNull();
    expect(sent.sources ?? []).toEqual([]);
  });
});
