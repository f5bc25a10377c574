/**
 * The floor of the fixed framework: exactly the floor's work (bench/lib/floor.ts, via floor-work.ts) as
 * one Elysia GET /search route, compiled and served by Bun.serve as the gateway is. Its distance from the
 * floor is what Elysia itself costs (routing, the query parse, the context, the response mapping).
 * Run: bun bench/lib/floor-elysia.ts <aggregator-url> <token> [cache-entries, default 10000]
 */
import { Elysia } from "elysia";
import { floorWork, withRequestId } from "./floor-work.ts";

const work = floorWork(process.argv[2] ?? "", process.argv[3] ?? "", Number(process.argv[4] ?? 10_000));
let ids = 0;

const app = new Elysia()
  .get("/healthz", () => "ok")
  .get("/search", async ({ query, request, set }) => {
    if (work.user(request.headers.get("authorization")) === undefined) {
      set.status = 401;
      return null;
    }
    const q = query.query ?? "";
    const requestId = (++ids).toString(16);
    const shared = work.cached(q) ?? (await work.fetchAnswer(q, requestId));
    if (shared === undefined) {
      set.status = 502;
      return null;
    }
    set.headers["content-type"] = "application/json";
    return withRequestId(requestId, shared);
  });

app.compile();
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, development: false, fetch: app.fetch });
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
