import type { Logger } from "../../core/logger.ts";
import type { GatewayMetrics } from "../../core/metrics/gateway-metrics.ts";
import type { Counter, CounterSeries, HistogramSeries } from "../../core/metrics/registry.ts";
import { redactUrls } from "../../core/security/redact-url.ts";
import { nowMs, SPAN_KIND, type Tracer } from "../../core/tracing/tracer.ts";
import { upstreamMsOf } from "../../services/call-context.ts";
import type { RequestMeta } from "./request-context.ts";

const round = (ms: number) => Math.round(ms * 100) / 100;

function kept<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * A counter's series kept per label values, found by nested lookups instead of a joined key per
 * request. Only for labels with few values: routes (patterns, not paths), statuses, the methods Bun
 * accepts, cache states.
 */
function seriesOf(counter: Counter) {
  const byFirst = new Map<string, Map<string, Map<string, CounterSeries>>>();
  return (...labels: [string] | [string, string, string]): CounterSeries => {
    const [a, b = "", c = ""] = labels;
    const byThird = kept(
      kept(byFirst, a, () => new Map()),
      b,
      () => new Map(),
    );
    return kept(byThird, c, () => counter.series(labels));
  };
}

const STATUS_TEXT = new Map<number, string>();
const statusText = (status: number) => kept(STATUS_TEXT, status, () => String(status));

/** What the request pipeline knows once the answer has gone out. */
export type AccessLogStep = (request: Request, route: string, status: number, meta: RequestMeta) => void;

/**
 * After each response (an event stream's end): one log line (never a header or body value), the
 * request metrics and the server span. A step of the request pipeline (pipeline.ts), which also counts requests in flight.
 */
export function accessLog(logger: Logger, metrics: GatewayMetrics, tracer: Tracer): AccessLogStep {
  const requests = seriesOf(metrics.requests);
  const cacheResults = new Map<string, CounterSeries>();
  const durations = new Map<string, HistogramSeries>();
  return (request, route, status, meta) => {
    const ms = performance.now() - meta.startedAt;
    const routeLabel = route || "unmatched";
    requests(request.method, routeLabel, statusText(status)).inc();
    kept(durations, routeLabel, () => metrics.requestDuration.series([routeLabel])).observe(ms / 1000);
    const { cache, stream } = meta;
    const outcome = stream?.outcome;
    if (outcome !== undefined) metrics.streams.inc([outcome]);
    const upstreamMs = upstreamMsOf(meta.call);
    if (tracer.recording) {
      tracer.record(
        {
          traceId: meta.trace.traceId,
          spanId: meta.trace.spanId,
          parentSpanId: meta.trace.parentSpanId,
          name: `${request.method} ${routeLabel}`,
          kind: SPAN_KIND.server,
          startMs: performance.timeOrigin + meta.startedAt,
          endMs: nowMs(),
          attributes: {
            "http.request.method": request.method,
            "http.route": routeLabel,
            "http.response.status_code": status,
            "gateway.request_id": meta.requestId,
            ...(cache ? { "gateway.cache": cache } : {}),
            ...(stream && outcome
              ? { "gateway.stream.outcome": outcome, "gateway.stream.events": stream.events }
              : {}),
          },
          error: status >= 500,
        },
        meta.trace.flags,
      );
    }
    if (cache) kept(cacheResults, cache, () => metrics.cache.series([cache.toLowerCase()])).inc();
    // Every value is the gateway's own (a checked or generated id, a method token, a route pattern, a
    // plan name, enums, numbers) but the user id, which the Users service chose: its URLs are redacted.
    logger.infoVouched("request", {
      request_id: meta.requestId,
      trace_id: meta.trace.traceId,
      method: request.method,
      route: route || null,
      status,
      duration_ms: round(ms),
      user_id: meta.userId === undefined ? undefined : redactUrls(meta.userId),
      plan: meta.plan,
      cache,
      upstream_ms: upstreamMs === undefined ? undefined : round(upstreamMs),
      stream_outcome: outcome,
      stream_events: stream?.events,
    });
  };
}
