import { timingSafeEqual } from "node:crypto";
import { Elysia } from "elysia";
import { Unauthorized } from "../../core/errors.ts";
import type { GatewayMetrics } from "../../core/metrics/gateway-metrics.ts";

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus scrape endpoint; with a token, only `Authorization: Bearer <token>` may read it. */
export function metricsRoutes(metrics: GatewayMetrics, token?: string) {
  return new Elysia({ name: "routes/metrics" }).get(
    "/metrics",
    ({ request, set }) => {
      if (token !== undefined) {
        const given = /^Bearer +(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
        if (!sameSecret(given, token)) throw new Unauthorized("/metrics needs the metrics bearer token.", "");
      }
      set.headers["content-type"] = PROMETHEUS_TEXT;
      return metrics.render();
    },
    { detail: { hide: true } },
  );
}
