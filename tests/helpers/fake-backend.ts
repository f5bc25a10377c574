/**
 * A misbehaving backend for fault tests: it answers what the test tells it, and counts the calls.
 * Real sockets, so the gateway's real client meets the fault.
 */
export type Behaviour = (request: Request) => Response | Promise<Response>;

/** What a call looked like; copied, because Bun recycles a Request once its response is sent. */
export interface RecordedCall {
  url: string;
  method: string;
  headers: Headers;
}

export interface FakeBackend {
  url: string;
  calls: RecordedCall[];
  behave(next: Behaviour): void;
  stop(): Promise<void>;
}

export function startFakeBackend(initial: Behaviour): FakeBackend {
  let behaviour = initial;
  const calls: RecordedCall[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      calls.push({ url: request.url, method: request.method, headers: new Headers(request.headers) });
      return behaviour(request);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    behave: (next) => {
      behaviour = next;
    },
    stop: () => server.stop(true),
  };
}

/** A URL on which nothing listens: bind a port, then let it go. */
export async function deadUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  await server.stop(true);
  return url;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Canned faults a backend can be told to have (issue: down, slow, flaky, 500, junk, oversized, reset). */
export const faults = {
  slow:
    (ms: number, then: Behaviour): Behaviour =>
    async (request) => {
      await sleep(ms);
      return then(request);
    },
  /** Every `n`th call fails with `failure`, the others behave normally. */
  flaky: (n: number, failure: Behaviour, ok: Behaviour): Behaviour => {
    let count = 0;
    return (request) => (++count % n === 0 ? failure(request) : ok(request));
  },
  status:
    (status: number): Behaviour =>
    () =>
      Response.json({ error: "injected" }, { status }),
  /** A redirect to `location` (absolute), keeping the request's path: what a moved or hijacked backend says. */
  redirect:
    (status: number, location: string): Behaviour =>
    (request) =>
      new Response(null, { status, headers: { location: location + new URL(request.url).pathname } }),
  junk: (): Behaviour => () =>
    new Response("<html>not json</html>", { headers: { "content-type": "text/html" } }),
  /** Headers and the first bytes of a JSON body at once, then nothing more (the socket stays open). */
  stalledBody:
    (declareLength: boolean): Behaviour =>
    () => {
      const start = '{"request_id":"x","results":[';
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(start));
        },
      });
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (declareLength) headers["content-length"] = String(start.length + 100);
      return new Response(stream, { headers });
    },
  oversized:
    (bytes: number): Behaviour =>
    () =>
      new Response(JSON.stringify({ request_id: "x", results: [], pad: "x".repeat(bytes) }), {
        headers: { "content-type": "application/json" },
      }),
};

/** A TCP server that accepts and drops every connection at once: the client sees a reset. */
export function startResettingServer(): { url: string; stop(): void } {
  const listener = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        socket.terminate();
      },
      data() {},
    },
  });
  return { url: `http://127.0.0.1:${listener.port}`, stop: () => listener.stop(true) };
}

/** A valid Aggregator answer with one product per call, naming the call, so tests can tell answers apart. */
export function aggregatorAnswer(options: { partial?: boolean } = {}): Behaviour {
  let n = 0;
  return async (request) => {
    if (request.method === "GET") return Response.json({ status: "ok" });
    const body = (await request.json()) as { request_id: string };
    n += 1;
    return Response.json({
      request_id: body.request_id,
      results: [
        {
          id: `p-${n}`,
          title: `Product ${n}`,
          price: n,
          currency: "USD",
          url: `https://shop.example/p/${n}`,
          source: "shop",
        },
      ],
      sources: [
        { name: "shop", ok: true, took_ms: 1 },
        ...(options.partial ? [{ name: "down-shop", ok: false, took_ms: 5 }] : []),
      ],
    });
  };
}

/** Passes requests on to a real backend: a recording proxy whose behaviour a test can then change. */
export const forwardTo =
  (target: string): Behaviour =>
  async (request) => {
    const url = new URL(request.url);
    const body = request.method === "GET" ? undefined : await request.arrayBuffer();
    return fetch(target + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body,
    });
  };
