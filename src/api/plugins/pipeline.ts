import { Elysia } from "elysia";
import { BadRequest } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { GatewayMetrics } from "../../core/metrics/gateway-metrics.ts";
import type { Tracer } from "../../core/tracing/tracer.ts";
import { accessLog } from "./access-log.ts";
import { checkDeclaredLength, DEFAULT_BODY_LIMIT } from "./body-limit.ts";
import { type CorsOptions, cors } from "./cors.ts";
import { validHost } from "./host-header.ts";
import { openRequest, requestMeta } from "./request-context.ts";

export interface PipelineOptions {
  logger: Logger;
  metrics: GatewayMetrics;
  tracer: Tracer;
  cors: CorsOptions;
  deadlineMs: number;
  /** The body-limit plugin's limit: a declared Content-Length over it is refused here. */
  bodyLimitBytes?: number;
}

/**
 * Everything every request needs, as one `onRequest` and one `onAfterResponse` rather than a plugin
 * (and a hook call) per concern. On arrival, in this order: counted in flight, given its id and trace
 * (echoed as X-Request-Id) and its deadline; then CORS (a preflight is answered here); then a bad Host
 * and a declared body over the limit are refused. Anything thrown here is still counted, logged and
 * answered as problem+json, because the request's meta exists by then. After the answer (for an event
 * stream, after its last event): the access log line, the request metrics and the server span. The answer headers (RateLimit, X-Cache) need no
 * hook: storing the outcome on the meta writes them (request-context.ts).
 */
export function pipeline({
  logger,
  metrics,
  tracer,
  cors: corsOptions,
  deadlineMs,
  bodyLimitBytes,
}: PipelineOptions) {
  const corsStep = cors(corsOptions);
  const logStep = accessLog(logger, metrics, tracer);
  const bodyLimit = bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  return new Elysia({ name: "pipeline" })
    .onRequest(({ request, set }) => {
      metrics.inFlight += 1;
      const meta = openRequest(request, set);
      set.headers["x-request-id"] = meta.requestId;
      meta.call.deadline = Date.now() + deadlineMs;
      if (corsStep) {
        const preflight = corsStep(request, set.headers);
        if (preflight) {
          // Elysia skips onAfterResponse for an answer returned from onRequest: this one ends here.
          metrics.inFlight -= 1;
          logStep(request, "", preflight.status, meta);
          return preflight;
        }
      }
      if (!validHost(request.headers.get("host"))) throw new BadRequest("The Host header is not valid.");
      checkDeclaredLength(request, bodyLimit);
    })
    .onAfterResponse(({ request, route, set }) => {
      const meta = requestMeta(request);
      const status = typeof set.status === "number" ? set.status : 200;
      const { stream } = meta;
      if (stream === undefined) {
        metrics.inFlight -= 1;
        logStep(request, route, status, meta);
        return;
      }
      // Only the headers have gone out: the stream stays in flight (the drain waits for it), and its
      // line is written with what it sent and how it ended.
      metrics.streamsOpen += 1;
      stream.whenEnded(() => {
        metrics.streamsOpen -= 1;
        metrics.inFlight -= 1;
        logStep(request, route, status, meta);
      });
    })
    .as("global");
}
