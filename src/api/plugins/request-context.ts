import { Elysia } from "elysia";
import { requestIdFrom, type TraceContext, traceFrom, traceparent } from "../../core/security/request-id.ts";
import type { Caller } from "../../models/caller.ts";
import type { CallContext } from "../../services/call-context.ts";
import type { LimitDecision } from "../../services/limiter.ts";
import type { CacheState } from "../../services/search-service.ts";
import { writeRateLimitHeaders } from "../rate-limit-headers.ts";
import type { StreamTally } from "../stream-tally.ts";

/** What the gateway knows about one request, from its first hook to its access-log line. */
export interface RequestMeta {
  readonly requestId: string;
  readonly trace: TraceContext;
  readonly startedAt: number;
  readonly call: CallContext;
  userId?: string;
  plan?: string;
  /** The authenticated caller, once the auth plugin has resolved one. */
  caller?: Caller;
  /**
   * What the limiter decided, stored as soon as a service returns it, before anything is thrown: so a
   * 429 or any later error still reports it. Storing it writes the RateLimit headers.
   */
  limits?: LimitDecision | undefined;
  /** Where a search's answer came from: X-Cache, the access log and the cache metrics. */
  cache?: CacheState | undefined;
  /** Set by a route that answers with an event stream: its log line waits for the stream's end. */
  stream?: StreamTally;
}

/** The part of Elysia's context that becomes the answer's headers (a route may replace `headers`). */
export interface AnswerSet {
  headers: Record<string, unknown>;
}

/**
 * The answer headers are written when the services' outcome is stored, onto the request's own `set`:
 * from there a route's value, a route's own Response (json-text.ts copies them) and an error's
 * problem+json all carry them, and no map-response hook has to run on every answer to look for them.
 */
class Meta implements RequestMeta {
  userId?: string;
  plan?: string;
  caller?: Caller;
  stream?: StreamTally;
  #limits: LimitDecision | undefined;
  #cache: CacheState | undefined;

  constructor(
    readonly requestId: string,
    readonly trace: TraceContext,
    readonly startedAt: number,
    readonly call: CallContext,
    private readonly set: AnswerSet | undefined,
  ) {}

  get limits(): LimitDecision | undefined {
    return this.#limits;
  }
  set limits(decision: LimitDecision | undefined) {
    this.#limits = decision;
    if (decision && this.set) writeRateLimitHeaders(this.set.headers, decision);
  }

  get cache(): CacheState | undefined {
    return this.#cache;
  }
  set cache(state: CacheState | undefined) {
    this.#cache = state;
    if (state && this.set) this.set.headers["x-cache"] = state;
  }
}

// On the Request itself, so that hooks which run before `derive` (parse errors, 404s) still find it: a
// property is written and read in a few ns, where a WeakMap entry per request cost ~80 ns to add and
// more for the collector to clear (docs/performance.md, "One request pipeline").
const META = Symbol("gateway.request-meta");
type WithMeta = Request & { [META]?: RequestMeta };

// Only a backend call reads the traceparent, and a hit makes none. A class rather than an object literal
// with a getter: the getter lives once on the prototype instead of being defined on every request's object.
class Call implements CallContext {
  deadline?: number;
  constructor(
    readonly requestId: string,
    readonly trace: TraceContext,
  ) {}
  get traceparent(): string {
    return traceparent(this.trace);
  }
}

function newMeta(request: Request, set: AnswerSet | undefined): RequestMeta {
  const requestId = requestIdFrom(request.headers.get("x-request-id"));
  const trace = traceFrom(request.headers.get("traceparent"));
  const meta = new Meta(requestId, trace, performance.now(), new Call(requestId, trace), set);
  (request as WithMeta)[META] = meta;
  return meta;
}

/** The request pipeline's first step: the request's id and trace, and where its answer headers go. */
export function openRequest(request: Request, set: AnswerSet): RequestMeta {
  return (request as WithMeta)[META] ?? newMeta(request, set);
}

/** The request's meta; one made here (an app without the pipeline) has no answer headers to write. */
export function requestMeta(request: Request): RequestMeta {
  return (request as WithMeta)[META] ?? newMeta(request, undefined);
}

/** Gives routes the request's id, call context and meta, which the pipeline opened on arrival. */
export const requestContext = new Elysia({ name: "request-context" })
  .derive({ as: "global" }, ({ request }) => {
    const meta = requestMeta(request);
    return { requestId: meta.requestId, call: meta.call, meta };
  })
  .as("global");
