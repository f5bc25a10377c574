import type { Logger } from "../logger.ts";
import { OtlpExporter } from "./otlp-exporter.ts";
import { Tracer } from "./tracer.ts";

/** `k1=v1,k2=v2` as OTEL_EXPORTER_OTLP_HEADERS has it (values URL-encoded). */
function parseHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at > 0)
      headers[pair.slice(0, at).trim().toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/**
 * The standard OpenTelemetry variables: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is) or
 * OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces), OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME,
 * OTEL_SDK_DISABLED. No endpoint: a tracer that records nothing and sends nothing.
 */
export function tracerFromEnv(
  env: Record<string, string | undefined>,
  version: string,
  logger: Logger,
): Tracer {
  if (env.OTEL_SDK_DISABLED === "true") return new Tracer();
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = traces || (base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined);
  if (!url) return new Tracer();
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== "http/json") {
    logger.warn("only OTLP http/json is supported; exporting with it", { requested: protocol });
  }
  const headers = {
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  const serviceName = env.OTEL_SERVICE_NAME || "gateway";
  logger.info("exporting traces", { endpoint: url, service: serviceName });
  return new Tracer(new OtlpExporter({ url, headers, serviceName, serviceVersion: version, logger }));
}
