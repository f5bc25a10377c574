import { Elysia } from "elysia";
import { requestIdFrom, type TraceContext, traceFrom, traceparent } from "../../core/security/request-id.ts";
import type { Caller } from "../../models/caller.ts";
import type { CallContext } from "../../services/call-context.ts";
import type { LimitDecision } from "../../services/limiter.ts";
import type { CacheState } from "../../services/search-service.ts";

/** What the gateway knows about one request, from its first hook to its access-log line. */
export interface RequestMeta {
  requestId: string;
  trace: TraceContext;
  startedAt: number;
  call: CallContext;
  userId?: string;
  plan?: string;
  /** The authenticated caller, once the auth plugin has resolved one. */
  caller?: Caller;
  /**
   * What the limiter decided, stored as soon as a service returns it, before anything is thrown: so a
   * 429 or any later error still reports it. The answer-headers plugin turns it into RateLimit headers.
   */
  limits?: LimitDecision;
  /** Where a search's answer came from: X-Cache, the access log and the cache metrics. */
  cache?: CacheState;
}

// Keyed by the Request so that hooks which run before `derive` (parse errors, 404s) still find it.
const metas = new WeakMap<Request, RequestMeta>();

export function requestMeta(request: Request): RequestMeta {
  let meta = metas.get(request);
  if (!meta) {
    const requestId = requestIdFrom(request.headers.get("x-request-id"));
    const trace = traceFrom(request.headers.get("traceparent"));
    meta = {
      requestId,
      trace,
      startedAt: performance.now(),
      // Only a backend call reads it, and a hit makes none.
      call: {
        requestId,
        trace,
        get traceparent() {
          return traceparent(trace);
        },
      },
    };
    metas.set(request, meta);
  }
  return meta;
}

/** Gives every request an id (the client's when sane) and a W3C trace context; echoes the id back. */
export const requestContext = new Elysia({ name: "request-context" })
  .onRequest(({ request, set }) => {
    set.headers["x-request-id"] = requestMeta(request).requestId;
  })
  .derive({ as: "global" }, ({ request }) => {
    const meta = requestMeta(request);
    return { requestId: meta.requestId, call: meta.call, meta };
  })
  .as("global");
