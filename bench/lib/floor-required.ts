/**
 * The floor of the fixed stack and the required work: floor-elysia (the floor's work as one
 * Elysia route) plus what the issue requires on every request beyond it, and nothing else:
 *   - a request id (the client's if sane, else a random UUID: the gateway's `requestIdFrom`) echoed in
 *     X-Request-Id;
 *   - the per-user rate limit: one GCRA decision in the gateway's in-process `MemoryLimitStore`, and the
 *     RateLimit-Policy / RateLimit headers in the gateway's format (written here: one policy, so the
 *     gateway's general `rateLimitHeaders` and its `LimitDecision` would be more than the minimum);
 *   - X-Cache: HIT or MISS;
 *   - the access log at info: the gateway's own logger (`createLogger`, batched JSON lines to stdout,
 *     redaction included, since a log line without it is not one the gateway may write) with the access
 *     log's fields, from `onAfterResponse` as the gateway's pipeline does, so that every request is
 *     logged, not only the route's. Left out: trace_id (tracing is not in the issue), upstream_ms, and
 *     the metrics and span the gateway's access-log step also records.
 * FLOOR_REQUIRED_OFF=log|hook|limit|headers turns one piece off, only to measure what it costs (the
 * `hit-floor-parts` scenario): the log line (its hook stays), the after-response hook with its line,
 * the limit decision, the four answer headers.
 * Run: bun bench/lib/floor-required.ts <aggregator-url> <token> [cache-entries, default 10000]
 */
import { Elysia } from "elysia";
import { createLogger } from "../../src/core/logger.ts";
import { requestIdFrom } from "../../src/core/security/request-id.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";
import { floorWork, withRequestId } from "./floor-work.ts";

const work = floorWork(process.argv[2] ?? "", process.argv[3] ?? "", Number(process.argv[4] ?? 10_000));
const logger = createLogger("info");
const limits = new MemoryLimitStore();
// The bench's plan (bench/lib/launch.ts): no limit in the way, but every request still decided.
const PER_MINUTE = 100_000_000;
const POLICY = `"minute";q=${PER_MINUTE};w=60`;
const PLAN = "premium";
const off = process.env.FLOOR_REQUIRED_OFF ?? "";
const logOn = off !== "log" && off !== "hook";
const limitOn = off !== "limit";
const headersOn = off !== "headers";

interface Meta {
  requestId: string;
  startedAt: number;
  userId?: string;
  cache?: "HIT" | "MISS";
}
// On the Request, as the gateway's request context keeps its meta.
const META = Symbol("floor.meta");
type WithMeta = Request & { [META]?: Meta };

const round = (ms: number) => Math.round(ms * 100) / 100;

const app = new Elysia().onRequest(({ request, set }) => {
  const meta: Meta = {
    requestId: requestIdFrom(request.headers.get("x-request-id")),
    startedAt: performance.now(),
  };
  (request as WithMeta)[META] = meta;
  if (headersOn) set.headers["x-request-id"] = meta.requestId;
});
if (off !== "hook")
  app.onAfterResponse(({ request, route, set }) => {
    const meta = (request as WithMeta)[META];
    if (!meta || !logOn) return;
    logger.infoVouched("request", {
      request_id: meta.requestId,
      method: request.method,
      route: route || null,
      status: typeof set.status === "number" ? set.status : 200,
      duration_ms: round(performance.now() - meta.startedAt),
      user_id: meta.userId,
      plan: meta.userId === undefined ? undefined : PLAN,
      cache: meta.cache,
    });
  });
app
  .get("/healthz", () => "ok")
  .get("/search", async ({ query, request, set }) => {
    const meta = (request as WithMeta)[META] as Meta;
    const userId = work.user(request.headers.get("authorization"));
    if (userId === undefined) {
      set.status = 401;
      return null;
    }
    meta.userId = userId;
    if (limitOn) {
      const { bucket } = limits.decide({ key: `rate:${userId}`, limit: PER_MINUTE, periodMs: 60_000 });
      if (headersOn) {
        set.headers["ratelimit-policy"] = POLICY;
        set.headers.ratelimit = `"minute";r=${bucket.remaining};t=${Math.ceil((bucket.allowed ? bucket.resetMs : bucket.retryMs) / 1000)}`;
      }
      if (!bucket.allowed) {
        set.status = 429;
        return null;
      }
    }
    const q = query.query ?? "";
    let shared = work.cached(q);
    meta.cache = shared === undefined ? "MISS" : "HIT";
    shared ??= await work.fetchAnswer(q, meta.requestId);
    if (shared === undefined) {
      set.status = 502;
      return null;
    }
    if (headersOn) set.headers["x-cache"] = meta.cache;
    set.headers["content-type"] = "application/json";
    return withRequestId(meta.requestId, shared);
  });

app.compile();
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, development: false, fetch: app.fetch });
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
