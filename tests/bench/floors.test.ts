import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { startJsonProcess, stopProcess } from "../../bench/lib/targets.ts";
import { forwardTo, startFakeBackend } from "../helpers/fake-backend.ts";

// The fixed stack's floors as real servers against the bench's real backends: a floor that skipped the
// work it stands for would make every goal look harder than it is, so what each must do is checked here.
const lib = join(import.meta.dir, "..", "..", "bench", "lib");
const TOKEN = "floor-test-token";
type Answer = { request_id: string; limit: number; results: unknown[] };
const answerOf = async (response: Response) => (await response.json()) as Answer;
const auth = { authorization: `Bearer ${TOKEN}` };
let backends: Subprocess;
let aggregator = "";

beforeAll(async () => {
  const started = await startJsonProcess([process.execPath, join(lib, "backends.ts")]);
  backends = started.child;
  aggregator = started.info.aggregator as string;
});
afterAll(() => stopProcess(backends));

/** A floor, and every line it writes to stdout after its URL. */
async function startFloor(name: string, env: Record<string, string> = {}, upstream = aggregator) {
  const child = Bun.spawn([process.execPath, join(lib, `${name}.ts`), upstream, TOKEN], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let partial = "";
  let resolveUrl: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => {
    resolveUrl = resolve;
  });
  (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      partial += decoder.decode(value);
      const complete = partial.split("\n");
      partial = complete.pop() ?? "";
      for (const line of complete) {
        if (lines.length === 0 && line.startsWith('{"url"')) resolveUrl(JSON.parse(line).url);
        lines.push(line);
      }
    }
  })();
  return { child, url: await url, lines, logLines: () => lines.slice(1).map((l) => JSON.parse(l)) };
}

describe("the fixed stack's floors", () => {
  test("floor-elysia answers the search from the Aggregator, then from its cache, and refuses an unknown token", async () => {
    const floor = await startFloor("floor-elysia");
    try {
      const first = await fetch(`${floor.url}/search?query=phones`, { headers: auth });
      expect(first.status).toBe(200);
      const body = await answerOf(first);
      expect(body.results).toHaveLength(20);
      expect(body.limit).toBe(20);
      const second = await answerOf(await fetch(`${floor.url}/search?query=phones`, { headers: auth }));
      expect(second.request_id).not.toBe(body.request_id);
      expect(second.results).toEqual(body.results);
      expect((await fetch(`${floor.url}/search?query=phones`)).status).toBe(401);
      // It adds nothing the floor does not do.
      expect(first.headers.get("x-request-id")).toBeNull();
      expect(first.headers.get("ratelimit")).toBeNull();
    } finally {
      await stopProcess(floor.child);
    }
  });

  test("floor-required echoes the request id, decides the rate limit, says HIT or MISS and logs every request at info", async () => {
    const floor = await startFloor("floor-required");
    try {
      const miss = await fetch(`${floor.url}/search?query=tablets`, {
        headers: { ...auth, "x-request-id": "client-id-1" },
      });
      expect(miss.status).toBe(200);
      expect(miss.headers.get("x-request-id")).toBe("client-id-1");
      expect((await answerOf(miss)).request_id).toBe("client-id-1");
      expect(miss.headers.get("x-cache")).toBe("MISS");
      expect(miss.headers.get("ratelimit-policy")).toBe('"minute";q=100000000;w=60');
      expect(miss.headers.get("ratelimit")).toMatch(/^"minute";r=\d+;t=\d+$/);

      const hit = await fetch(`${floor.url}/search?query=tablets`, { headers: auth });
      expect(hit.headers.get("x-cache")).toBe("HIT");
      const generated = hit.headers.get("x-request-id") ?? "";
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      expect((await answerOf(hit)).request_id).toBe(generated);
      expect((await fetch(`${floor.url}/search?query=tablets`)).status).toBe(401);

      // The lines leave in a batch after the turn of the event loop: wait for all three.
      for (let i = 0; i < 100 && floor.logLines().length < 3; i++) await Bun.sleep(10);
      const [first, second, refused] = floor.logLines();
      expect(first).toMatchObject({
        level: "info",
        msg: "request",
        request_id: "client-id-1",
        method: "GET",
        route: "/search",
        status: 200,
        user_id: "bench-user",
        plan: "premium",
        cache: "MISS",
      });
      expect(typeof first.duration_ms).toBe("number");
      expect(second).toMatchObject({ request_id: generated, cache: "HIT", status: 200 });
      expect(refused).toMatchObject({ status: 401, route: "/search" });
      expect(refused.user_id).toBeUndefined();
    } finally {
      await stopProcess(floor.child);
    }
  });

  test("floor-product's miss sends the call's timeout and its own span, shares one call per key, and folds the query into the key", async () => {
    const recorder = startFakeBackend(forwardTo(aggregator));
    const floor = await startFloor("floor-product", {}, recorder.url);
    try {
      const trace = "0af7651916cd43dd8448eb211c80319c";
      const ask = (query: string) =>
        fetch(`${floor.url}/search?query=${query}`, {
          headers: { ...auth, traceparent: `00-${trace}-b7ad6b7169203331-01` },
        });
      const together = await Promise.all([ask("Phone%20%20Cases"), ask("Phone%20%20Cases")]);
      for (const answer of together) expect(answer.status).toBe(200);
      await Promise.all(together.map((answer) => answer.arrayBuffer()));
      const folded = await ask("phone%20cases");
      expect(folded.headers.get("x-cache")).toBe("HIT");
      await folded.arrayBuffer();
      const searches = recorder.calls.filter((call) => call.url.endsWith("/v1/search"));
      expect(searches).toHaveLength(1);
      const headers = searches[0]?.headers;
      const timeout = Number(headers?.get("x-request-timeout-ms"));
      expect(timeout).toBeGreaterThan(0);
      expect(timeout).toBeLessThanOrEqual(5000);
      const [, traceId, spanId, flags] = (headers?.get("traceparent") ?? "").split("-");
      expect([traceId, flags]).toEqual([trace, "01"]);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(spanId).not.toBe("b7ad6b7169203331");
      for (let i = 0; i < 100 && floor.logLines().length < 3; i++) await Bun.sleep(10);
      const upstream = floor.logLines().map((line) => line.upstream_ms);
      expect(upstream.filter((ms) => typeof ms === "number")).toHaveLength(1);
    } finally {
      await stopProcess(floor.child);
      await recorder.stop();
    }
  });

  test("floor-product also refuses a malformed, unknown or revoked token and an invalid query, joins the trace, counts the metrics and checks Host", async () => {
    const floor = await startFloor("floor-product");
    try {
      const trace = "0af7651916cd43dd8448eb211c80319c";
      const miss = await fetch(`${floor.url}/search?query=%20laptops%20`, {
        headers: { ...auth, traceparent: `00-${trace}-b7ad6b7169203331-01` },
      });
      expect(miss.status).toBe(200);
      expect(miss.headers.get("x-cache")).toBe("MISS");
      expect(miss.headers.get("ratelimit")).toMatch(/^"minute";r=\d+;t=\d+$/);
      expect((await answerOf(miss)).results).toHaveLength(20);
      // Trimmed before it is looked up: the same search.
      const hit = await fetch(`${floor.url}/search?query=laptops`, { headers: auth });
      expect(hit.headers.get("x-cache")).toBe("HIT");
      await hit.arrayBuffer();

      const status = async (path: string, headers: Record<string, string>) => {
        const answer = await fetch(`${floor.url}${path}`, { headers });
        await answer.arrayBuffer();
        return answer.status;
      };
      expect(await status("/search?query=x", { authorization: "Basic abc" })).toBe(401);
      expect(await status("/search?query=x", { authorization: "Bearer not-remembered" })).toBe(401);
      expect(await status("/search?query=x", { authorization: `Bearer ${TOKEN}.revoked` })).toBe(401);
      expect(await status("/search?query=%20", auth)).toBe(422);
      expect(await status(`/search?query=${"q".repeat(201)}`, auth)).toBe(422);
      expect(await status("/search?query=a%07b", auth)).toBe(422);
      expect(await status("/search?query=x", { ...auth, host: "bad host" })).toBe(400);

      for (let i = 0; i < 100 && floor.logLines().length < 9; i++) await Bun.sleep(10);
      const [first] = floor.logLines();
      expect(first).toMatchObject({ trace_id: trace, user_id: "bench-user", plan: "premium", cache: "MISS" });
      const metrics = await (await fetch(`${floor.url}/metrics`)).text();
      expect(metrics).toContain('gateway_requests_total{method="GET",route="/search",status="200"} 2');
      expect(metrics).toContain('gateway_requests_total{method="GET",route="/search",status="401"} 3');
      expect(metrics).toContain('gateway_cache_total{result="hit"} 1');
      expect(metrics).toContain('gateway_cache_total{result="miss"} 1');
      expect(metrics).toMatch(/gateway_request_duration_seconds_count\{route="\/search"\} \d+/);
    } finally {
      await stopProcess(floor.child);
    }
  });

  test("each study variant of floor-required turns off its one piece and keeps the rest", async () => {
    const seen: Record<string, { headers: string[]; logged: number }> = {};
    for (const off of ["log", "hook", "limit", "headers"]) {
      const floor = await startFloor("floor-required", { FLOOR_REQUIRED_OFF: off });
      try {
        const answer = await fetch(`${floor.url}/search?query=x`, { headers: auth });
        expect(answer.status).toBe(200);
        await answer.arrayBuffer();
        // A line would leave within a turn of the event loop; this waits many.
        await Bun.sleep(100);
        const headers = ["x-request-id", "ratelimit", "ratelimit-policy", "x-cache"].filter((h) =>
          answer.headers.has(h),
        );
        seen[off] = { headers, logged: floor.logLines().length };
      } finally {
        await stopProcess(floor.child);
      }
    }
    const all = ["x-request-id", "ratelimit", "ratelimit-policy", "x-cache"];
    expect(seen).toEqual({
      log: { headers: all, logged: 0 },
      hook: { headers: all, logged: 0 },
      limit: { headers: ["x-request-id", "x-cache"], logged: 1 },
      headers: { headers: [], logged: 1 },
    });
  });
});
