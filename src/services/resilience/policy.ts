import { nowMs, SPAN_KIND, type Tracer, traceparentOf } from "../../core/tracing/tracer.ts";
import { addUpstreamMs, type CallContext } from "../call-context.ts";
import { CircuitOpenError } from "../errors.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";
import { DeadlineExceeded, remainingMs } from "./deadline.ts";
import type { RetryBudget } from "./retry-budget.ts";

/**
 * How a failed attempt counts: the backend working as specified, a transient fault, a real failure, or
 * `overload`: slow because of load the gateway itself chose to send, which says nothing about the
 * backend's health to the other calls that share its circuit (and a retry would only add to it).
 */
export type Verdict = "healthy" | "transient" | "failure" | "overload";

export interface CallPolicy {
  /** Longest single attempt; the request's deadline may cut it shorter. */
  timeoutMs: number;
  retries: number;
  breaker?: CircuitBreaker | undefined;
  budget?: RetryBudget | undefined;
  /** Told of every attempt and of refusals by the open circuit (error undefined = success), for metrics. */
  observe?: ((error: unknown, seconds: number) => void) | undefined;
  /** Records a client span per attempt; its id is the parent the backend sees in `traceparent`. */
  tracer?: Tracer | undefined;
}

/** The policy a client's options describe (both transports take the same resilience options). */
export function callPolicy(options: Partial<CallPolicy> & { timeoutMs: number }): CallPolicy {
  return {
    timeoutMs: options.timeoutMs,
    retries: options.retries ?? 0,
    breaker: options.breaker,
    budget: options.budget,
    observe: options.observe,
    tracer: options.tracer,
  };
}

// A retry is only worth sending if it has at least this long to succeed.
const MIN_ATTEMPT_MS = 50;

/** 25-75 ms, doubling per attempt: jitter keeps a crowd of retries from arriving together. */
const backoffMs = (attempt: number) => (25 + Math.random() * 50) * 2 ** attempt;

/**
 * One backend call under the gateway's rules, whatever the transport: the circuit breaker's say, a
 * timeout cut to the request's deadline, and at most `retries` retries of transient failures, each only
 * with room left in the deadline and within the retry budget. `classify` is told whether the attempt's
 * timeout was the deadline's (a timeout that was the deadline's is not worth retrying).
 */
export async function resilientCall<T, A = undefined>(
  policy: CallPolicy,
  ctx: CallContext,
  attempt: (timeoutMs: number, traceparent: string | undefined, arg: A) => Promise<T>,
  classify: (error: unknown, cutByDeadline: boolean, arg: A) => Verdict,
  // Handed to `attempt` and `classify` as it is, so a client can pass one long-lived function for
  // every call instead of a closure per call (the miss path makes one of these per request).
  arg?: A,
): Promise<T> {
  const { breaker, budget, observe, tracer } = policy;
  const backend = breaker?.name ?? "backend";
  budget?.recordCall();
  for (let n = 0; ; n++) {
    // No time left: not worth a call, and a certain failure must not count against the backend's circuit.
    if (remainingMs(ctx) <= 0) throw new DeadlineExceeded();
    if (breaker && !breaker.tryAcquire()) {
      const refused = new CircuitOpenError(breaker.name, breaker.retryAfterMs);
      observe?.(refused, 0);
      throw refused;
    }
    const left = remainingMs(ctx);
    const timeoutMs = Math.max(1, Math.min(policy.timeoutMs, left));
    const started = performance.now();
    const spanId = tracer?.newSpanId();
    const traceparent = ctx.trace && spanId ? traceparentOf(ctx.trace, spanId) : ctx.traceparent;
    try {
      const value = await attempt(timeoutMs, traceparent, arg as A);
      finish(policy, ctx, backend, n, started, spanId, timeoutMs, undefined);
      breaker?.success();
      return value;
    } catch (error) {
      finish(policy, ctx, backend, n, started, spanId, timeoutMs, error);
      const verdict = classify(error, timeoutMs >= left, arg as A);
      if (verdict === "healthy") {
        breaker?.success();
        throw error;
      }
      if (verdict === "overload") {
        breaker?.abandon();
        throw error;
      }
      breaker?.failure();
      // A failure that just opened the circuit is not worth retrying: the retry would only be refused.
      if (breaker?.state === "open") throw error;
      const wait = backoffMs(n);
      if (verdict !== "transient" || n >= policy.retries || remainingMs(ctx) < wait + MIN_ATTEMPT_MS)
        throw error;
      if (budget && !budget.tryRetry()) throw error;
      await Bun.sleep(wait);
    }
  }
}

/** One attempt's time, metrics and span (a function rather than a closure per attempt). */
function finish(
  policy: CallPolicy,
  ctx: CallContext,
  backend: string,
  n: number,
  started: number,
  spanId: string | undefined,
  timeoutMs: number,
  error: unknown,
): void {
  const { observe, tracer } = policy;
  const seconds = (performance.now() - started) / 1000;
  addUpstreamMs(ctx, seconds * 1000);
  observe?.(error, seconds);
  if (tracer?.recording && spanId && ctx.trace) {
    tracer.record(
      {
        traceId: ctx.trace.traceId,
        spanId,
        parentSpanId: ctx.trace.spanId,
        name: `${backend} call`,
        kind: SPAN_KIND.client,
        startMs: performance.timeOrigin + started,
        endMs: nowMs(),
        attributes: {
          "gateway.backend": backend,
          "gateway.attempt": n + 1,
          "gateway.timeout_ms": Math.floor(timeoutMs),
        },
        error: error !== undefined,
      },
      ctx.trace.flags,
    );
  }
}
