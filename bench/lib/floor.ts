/**
 * The floor: the least a gateway must do for the performance issue's miss path, written as bare Bun
 * with none of the gateway's structure. It checks the bearer token against a map of verified tokens,
 * asks the Aggregator (POST, request id), reads and checks the answer against the same compiled
 * contract the gateway uses, keeps only the contract's fields, caches the serialized answer per query
 * (bounded) and sends it. No limits, logs, metrics, deadlines or retries. The gateway's distance from
 * this is its own overhead; this one's distance from the passthrough is the cost of the work itself.
 * Run: bun bench/lib/floor.ts <aggregator-url> <token> [cache-entries, default 10000]
 */
import { LRUCache } from "lru-cache";
import { compileReader } from "../../src/models/contract-reader.ts";
import { AggregatorSearchResponse } from "../../src/models/search.ts";

// The gateway's own contract reader: the check and the copy of the contract's fields in one pass.
const reader = compileReader(AggregatorSearchResponse);
const target = `${process.argv[2]}/v1/search`;
const verified = new Map<string, string>([[`Bearer ${process.argv[3]}`, "bench-user"]]);
const maxEntries = Math.max(1, Number(process.argv[4] ?? 10_000));
// The gateway's bounded structure; `peek`, as the floor keeps no recency.
const cache = new LRUCache<string, string>({ max: maxEntries });
const json = { "content-type": "application/json" };
let ids = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/healthz") return new Response("ok");
    if (!verified.has(request.headers.get("authorization") ?? "")) return new Response(null, { status: 401 });
    const query = url.searchParams.get("query") ?? "";
    const requestId = (++ids).toString(16);
    let shared = cache.peek(query);
    if (shared === undefined) {
      const upstream = await fetch(target, {
        method: "POST",
        headers: { ...json, "x-request-id": requestId },
        body: JSON.stringify({ request_id: requestId, query, categories: [], limit: 20 }),
      });
      const data = reader.read(await upstream.json());
      if (data === undefined) return new Response(null, { status: 502 });
      shared = JSON.stringify({ limit: 20, results: data.results.slice(0, 20) });
      cache.set(query, shared);
    }
    return new Response(`{"request_id":"${requestId}",${shared.slice(1)}`, { headers: json });
  },
});
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
