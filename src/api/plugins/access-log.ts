import { Elysia } from "elysia";
import type { Logger } from "../../core/logger.ts";
import { requestMeta } from "./request-context.ts";

/** One line per request, after the response is sent; never a header or body value. */
export function accessLog(logger: Logger) {
  return new Elysia({ name: "access-log" })
    .onAfterResponse(({ request, route, set }) => {
      const meta = requestMeta(request);
      logger.info("request", {
        request_id: meta.requestId,
        trace_id: meta.trace.traceId,
        method: request.method,
        route: route || null,
        status: typeof set.status === "number" ? set.status : 200,
        duration_ms: Math.round((performance.now() - meta.startedAt) * 100) / 100,
        user_id: meta.userId,
        plan: meta.plan,
      });
    })
    .as("global");
}
