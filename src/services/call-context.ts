import type { TraceParent } from "../core/tracing/tracer.ts";

/**
 * What travels with every backend call of one request. Only what goes out: what a call finds out (the
 * limiter's decision, the cache state) is returned by the service that made it, so nothing here is
 * written back and a service cannot depend on the HTTP layer reading it.
 */
export interface CallContext {
  requestId: string;
  traceparent?: string;
  /** The request's own span, the parent of each backend call's span (which is what travels upstream). */
  trace?: TraceParent;
  /** Epoch ms by which the client's request must be answered; each backend call gets what is left. */
  deadline?: number;
}

// The time each request spent in backend calls, for its log line. Kept beside the context rather than in
// it: one attempt's time is measured only in `resilientCall`, added up across every call the request made
// (coalesced and retried ones included), and read only by the access log; no service takes or returns it.
const upstream = new WeakMap<CallContext, number>();

export function addUpstreamMs(ctx: CallContext, ms: number): void {
  upstream.set(ctx, (upstream.get(ctx) ?? 0) + ms);
}

/** Undefined when the request made no backend call (a cache hit, a refusal). */
export function upstreamMsOf(ctx: CallContext): number | undefined {
  return upstream.get(ctx);
}
