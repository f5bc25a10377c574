import type { Logger } from "../../core/logger.ts";
import type { GatewayMetrics } from "../../core/metrics/gateway-metrics.ts";
import { nowMs, SPAN_KIND, type Tracer } from "../../core/tracing/tracer.ts";
import { upstreamMsOf } from "../../services/call-context.ts";
import type { RequestMeta } from "./request-context.ts";

const round = (ms: number) => Math.round(ms * 100) / 100;

/** What the request pipeline knows once the answer has gone out. */
export type AccessLogStep = (request: Request, route: string, status: number, meta: RequestMeta) => void;

/**
 * After each response: one log line (never a header or body value), the request metrics and the
 * server span. A step of the request pipeline (pipeline.ts), which also counts requests in flight.
 */
export function accessLog(logger: Logger, metrics: GatewayMetrics, tracer: Tracer): AccessLogStep {
  return (request, route, status, meta) => {
    const ms = performance.now() - meta.startedAt;
    const routeLabel = route || "unmatched";
    metrics.requests.inc([request.method, routeLabel, String(status)]);
    metrics.requestDuration.observe([routeLabel], ms / 1000);
    const { cache } = meta;
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
          },
          error: status >= 500,
        },
        meta.trace.flags,
      );
    }
    if (cache) metrics.cache.inc([cache.toLowerCase()]);
    logger.info("request", {
      request_id: meta.requestId,
      trace_id: meta.trace.traceId,
      method: request.method,
      route: route || null,
      status,
      duration_ms: round(ms),
      user_id: meta.userId,
      plan: meta.plan,
      cache,
      upstream_ms: upstreamMs === undefined ? undefined : round(upstreamMs),
    });
  };
}
