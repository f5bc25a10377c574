/**
 * floor-required plus what the gateway's other issues require on every search, written minimally, so
 * that a goal can be read against all the work the product must do and not only issue 15's:
 *   - the bearer token's syntax (RFC 6750 §2.1), and the token remembered by its SHA-256 once verified
 *     (issue 7: the process keeps no raw bearer tokens), with its expiry checked on every request;
 *   - the revocation set (issue 14): the token's jti and session looked up;
 *   - the user from a cache with a TTL and the plan from the subscription's expiry (issues 2 and 3: a
 *     premium that expired is free, checked on every request, never taken from the token);
 *   - the search's parameters (issue 2): the query trimmed, 1 to 200 characters, no control characters,
 *     422 otherwise; the limit clamped to the plan's;
 *   - the Host header checked (issue 12, RFC 9112 §3.2);
 *   - the W3C trace context (issue 5): the caller's traceparent joined or a new trace, its id in the log;
 *   - the request metrics (issue 5): requests by method, route and status, a duration histogram, cache
 *     results, in the gateway's registry, served at /metrics;
 *   - on a miss, what the resilience issue costs when nothing fails (since 2026-12-08): the request's
 *     deadline, the call's timeout cut to it (a timer and an abort signal) and sent as
 *     X-Request-Timeout-Ms, the circuit breaker's closed-state check and reset, single flight per key,
 *     and the call's time in the log line; the call's own span id in the traceparent it sends (issue 5);
 *   - the cache key of the cache issue: the query case-, space- and NFC-folded with the rest of the
 *     search, as JSON, hashed (SHA-256), kept for a query the cache answered.
 * The gateway's own modules only where they are the work itself (the logger, the request id, the GCRA
 * store, the trace context, the metrics registry), as floor-required uses them. Not here: retries and
 * the breaker's failure side (nothing fails in the bench), spans (not exported by default).
 * Run: bun bench/lib/floor-product.ts <aggregator-url> <token> [cache-entries, default 10000]
 * `<token>.revoked` is a second remembered token whose jti is revoked (the floors test uses it).
 */
import { Elysia } from "elysia";
import { LRUCache } from "lru-cache";
import { createLogger } from "../../src/core/logger.ts";
import { Counter, Histogram, Registry } from "../../src/core/metrics/registry.ts";
import { randomHex } from "../../src/core/security/random-hex.ts";
import { requestIdFrom, traceFrom } from "../../src/core/security/request-id.ts";
import { MemoryLimitStore } from "../../src/stores/memory-limit-store.ts";
import { floorWork, withRequestId } from "./floor-work.ts";

const token = process.argv[3] ?? "";
const work = floorWork(process.argv[2] ?? "", token, Number(process.argv[4] ?? 10_000));
const logger = createLogger("info");
const limits = new MemoryLimitStore();
const PER_MINUTE = 100_000_000;
const POLICY = `"minute";q=${PER_MINUTE};w=60`;
const MAX_RESULTS = 50;

interface Claims {
  sub: string;
  jti: string;
  sid: string;
  exp: number;
}
const sha = (text: string) => Bun.SHA256.hash(text, "base64");
const HOUR_S = 3600;
const exp = Math.floor(Date.now() / 1000) + HOUR_S;
const remembered = new Map<string, Claims>([
  [sha(token), { sub: "bench-user", jti: "jti-1", sid: "sid-1", exp }],
  [sha(`${token}.revoked`), { sub: "bench-user", jti: "jti-revoked", sid: "sid-1", exp }],
]);
const revoked = new Set<string>(["jti-revoked"]);
const revokedSessions = new Set<string>();
const users = new Map([
  [
    "bench-user",
    { id: "bench-user", subscription: "premium", expiresAt: Date.now() + 86_400_000, cachedUntil: Infinity },
  ],
]);

const registry = new Registry();
const requests = registry.register(
  new Counter("gateway_requests_total", "Requests", ["method", "route", "status"]),
);
const duration = registry.register(
  new Histogram(
    "gateway_request_duration_seconds",
    "Duration",
    ["route"],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ),
);
const cacheResults = registry.register(new Counter("gateway_cache_total", "Cache results", ["result"]));
const searchDuration = duration.series(["/search"]);
const hits = cacheResults.series(["hit"]);
const misses = cacheResults.series(["miss"]);
const byStatus = new Map<number, { inc(): void }>();

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

interface Meta {
  requestId: string;
  traceId: string;
  traceFlags: string;
  startedAt: number;
  deadline: number;
  upstreamMs?: number;
  userId?: string;
  plan?: string;
  cache?: "HIT" | "MISS";
}
const META = Symbol("floor.meta");
type WithMeta = Request & { [META]?: Meta };
const round = (ms: number) => Math.round(ms * 100) / 100;
const DEADLINE_MS = 5000;
const AGGREGATOR_TIMEOUT_MS = 5000;
const BREAKER_FAILURES = 5;
const BREAKER_OPEN_MS = 30_000;

const keys = new LRUCache<string, { limit: number; key: string }>({ max: 256 });
function keyOf(query: string, limit: number): string {
  const kept = keys.peek(query);
  if (kept !== undefined && kept.limit === limit) return kept.key;
  const folded = query.toLowerCase().replace(/\s+/g, " ").normalize("NFC");
  return sha(JSON.stringify([3, folded, [], limit, null, null, null, null, null, 0]));
}

const inflight = new Map<string, Promise<string | undefined>>();
let failures = 0;
let openUntil = 0;
const abortCall = (abort: AbortController) => abort.abort(new DOMException("timed out", "TimeoutError"));

function miss(query: string, key: string, meta: Meta): Promise<string | undefined> | undefined {
  if (openUntil > Date.now()) return undefined;
  const pending = inflight.get(key);
  if (pending !== undefined) return pending;
  const load = call(query, key, meta);
  inflight.set(key, load);
  return load;
}

async function call(query: string, key: string, meta: Meta): Promise<string | undefined> {
  const timeoutMs = Math.max(1, Math.min(AGGREGATOR_TIMEOUT_MS, meta.deadline - Date.now()));
  const abort = new AbortController();
  const timer = setTimeout(abortCall, timeoutMs, abort);
  const started = performance.now();
  try {
    const shared = await work.fetchAnswer(query, meta.requestId, {
      key,
      signal: abort.signal,
      headers: {
        "x-request-timeout-ms": String(timeoutMs),
        traceparent: `00-${meta.traceId}-${randomHex(8)}-${meta.traceFlags}`,
      },
    });
    failures = 0;
    return shared;
  } catch {
    failures += 1;
    if (failures >= BREAKER_FAILURES) openUntil = Date.now() + BREAKER_OPEN_MS;
    return undefined;
  } finally {
    clearTimeout(timer);
    meta.upstreamMs = (meta.upstreamMs ?? 0) + performance.now() - started;
    inflight.delete(key);
  }
}

function userOf(authorization: string | null): { id: string; plan: string } | undefined {
  const bearer = authorization === null ? null : BEARER.exec(authorization)?.[1];
  if (!bearer) return undefined;
  const claims = remembered.get(sha(bearer));
  const now = Date.now();
  if (!claims || claims.exp * 1000 <= now) return undefined;
  if (revoked.has(claims.jti) || revokedSessions.has(claims.sid)) return undefined;
  const user = users.get(claims.sub);
  if (!user || user.cachedUntil <= now) return undefined;
  return { id: user.id, plan: user.subscription === "premium" && user.expiresAt > now ? "premium" : "free" };
}

const app = new Elysia()
  .onRequest(({ request, set }) => {
    const trace = traceFrom(request.headers.get("traceparent"));
    const meta: Meta = {
      requestId: requestIdFrom(request.headers.get("x-request-id")),
      traceId: trace.traceId,
      traceFlags: trace.flags,
      startedAt: performance.now(),
      deadline: Date.now() + DEADLINE_MS,
    };
    (request as WithMeta)[META] = meta;
    set.headers["x-request-id"] = meta.requestId;
    const host = request.headers.get("host");
    if (host !== null && (host === "" || !HOST.test(host))) {
      set.status = 400;
      return "";
    }
  })
  .onAfterResponse(({ request, route, set }) => {
    const meta = (request as WithMeta)[META];
    if (!meta) return;
    const status = typeof set.status === "number" ? set.status : 200;
    const ms = performance.now() - meta.startedAt;
    let counter = byStatus.get(status);
    if (counter === undefined) {
      counter = requests.series([request.method, route || "unmatched", String(status)]);
      byStatus.set(status, counter);
    }
    counter.inc();
    searchDuration.observe(ms / 1000);
    if (meta.cache === "HIT") hits.inc();
    else if (meta.cache === "MISS") misses.inc();
    logger.infoVouched("request", {
      request_id: meta.requestId,
      trace_id: meta.traceId,
      method: request.method,
      route: route || null,
      status,
      duration_ms: round(ms),
      user_id: meta.userId,
      plan: meta.plan,
      cache: meta.cache,
      upstream_ms: meta.upstreamMs === undefined ? undefined : round(meta.upstreamMs),
    });
  })
  .get("/healthz", () => "ok")
  .get("/metrics", () => registry.render())
  .get("/search", async ({ query, request, set }) => {
    const meta = (request as WithMeta)[META] as Meta;
    const user = userOf(request.headers.get("authorization"));
    if (user === undefined) {
      set.status = 401;
      return null;
    }
    meta.userId = user.id;
    meta.plan = user.plan;
    const { bucket } = limits.decide({ key: `rate:${user.id}`, limit: PER_MINUTE, periodMs: 60_000 });
    set.headers["ratelimit-policy"] = POLICY;
    set.headers.ratelimit = `"minute";r=${bucket.remaining};t=${Math.ceil((bucket.allowed ? bucket.resetMs : bucket.retryMs) / 1000)}`;
    if (!bucket.allowed) {
      set.status = 429;
      return null;
    }
    const q = (query.query ?? "").trim();
    const limit = Math.min(Number(query.limit ?? 20), MAX_RESULTS);
    if (q.length < 1 || q.length > 200 || CONTROL.test(q) || !(limit >= 1)) {
      set.status = 422;
      return null;
    }
    const key = keyOf(q, limit);
    let shared = work.cached(key);
    if (shared === undefined) meta.cache = "MISS";
    else {
      meta.cache = "HIT";
      if (keys.peek(q) === undefined) keys.set(q, { limit, key });
    }
    shared ??= await miss(q, key, meta);
    if (shared === undefined) {
      set.status = 502;
      return null;
    }
    set.headers["x-cache"] = meta.cache;
    set.headers["content-type"] = "application/json";
    return withRequestId(meta.requestId, shared);
  });

app.compile();
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, development: false, fetch: app.fetch });
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
