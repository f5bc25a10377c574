import type { Logger } from "../logger.ts";
import type { SpanData, SpanExporter } from "./tracer.ts";

export interface OtlpOptions {
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  /** Spans are sent in batches of this many, or every `intervalMs`, whichever comes first. */
  batchSize?: number;
  intervalMs?: number;
  /** Spans waiting beyond this are dropped (and counted), so a dead collector cannot grow memory. */
  maxQueue?: number;
}

const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

function attribute(key: string, value: string | number | boolean) {
  if (typeof value === "boolean") return { key, value: { boolValue: value } };
  if (typeof value === "number" && Number.isInteger(value))
    return { key, value: { intValue: String(value) } };
  if (typeof value === "number") return { key, value: { doubleValue: value } };
  return { key, value: { stringValue: value } };
}

/**
 * OTLP/HTTP with the JSON encoding (POST <endpoint>/v1/traces), batched off the request path. Ours rather
 * than the OpenTelemetry SDK: the gateway needs a few span fields, and the SDK's weight sits on every
 * request. Export failures are logged (at most every 30 s) and the batch is dropped: tracing must never
 * hurt serving.
 */
export class OtlpExporter implements SpanExporter {
  readonly #queue: SpanData[] = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #o: Required<OtlpOptions>;
  #inFlight: Promise<void> = Promise.resolve();
  #lastWarn = 0;
  dropped = 0;
  exported = 0;

  constructor(options: OtlpOptions) {
    this.#o = { batchSize: 256, intervalMs: 1000, maxQueue: 4096, ...options };
    this.#timer = setInterval(() => this.#flush(), this.#o.intervalMs);
    this.#timer.unref?.();
  }

  export(span: SpanData): void {
    if (this.#queue.length >= this.#o.maxQueue) {
      this.dropped += 1;
      return;
    }
    this.#queue.push(span);
    if (this.#queue.length >= this.#o.batchSize) this.#flush();
  }

  async shutdown(): Promise<void> {
    clearInterval(this.#timer);
    this.#flush();
    await this.#inFlight;
  }

  #flush(): void {
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#queue.length);
    this.#inFlight = this.#inFlight.then(() => this.#send(batch));
  }

  async #send(batch: SpanData[]): Promise<void> {
    try {
      const response = await fetch(this.#o.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...this.#o.headers },
        body: JSON.stringify(this.#encode(batch)),
        // Not followed: the collector's headers (its credentials, often) would go wherever it points.
        redirect: "manual",
        signal: AbortSignal.timeout(5000),
      });
      await response.body?.cancel().catch(() => {});
      if (!response.ok) throw new Error(`collector answered HTTP ${response.status}`);
      this.exported += batch.length;
    } catch (error) {
      this.dropped += batch.length;
      if (Date.now() - this.#lastWarn > 30_000) {
        this.#lastWarn = Date.now();
        this.#o.logger.warn("trace export failed; spans dropped", {
          spans: batch.length,
          error: error as Error,
        });
      }
    }
  }

  #encode(batch: SpanData[]) {
    return {
      resourceSpans: [
        {
          resource: {
            attributes: [
              attribute("service.name", this.#o.serviceName),
              attribute("service.version", this.#o.serviceVersion),
            ],
          },
          scopeSpans: [
            {
              scope: { name: "gateway", version: this.#o.serviceVersion },
              spans: batch.map((s) => ({
                traceId: s.traceId,
                spanId: s.spanId,
                ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
                name: s.name,
                kind: s.kind,
                startTimeUnixNano: ns(s.startMs),
                endTimeUnixNano: ns(s.endMs),
                attributes: Object.entries(s.attributes).map(([k, v]) => attribute(k, v)),
                status: { code: s.error ? 2 : 1 },
              })),
            },
          ],
        },
      ],
    };
  }
}
