import { randomHex } from "../security/random-hex.ts";

export const SPAN_KIND = { server: 2, client: 3 } as const;

export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  kind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND];
  startMs: number;
  endMs: number;
  attributes: Record<string, string | number | boolean>;
  error: boolean;
}

export interface SpanExporter {
  export(span: SpanData): void;
  shutdown(): Promise<void>;
}

/** The trace a request belongs to, and its own span there (the parent of its backend calls). */
export interface TraceParent {
  traceId: string;
  spanId: string;
  flags: string;
}

/** Wall-clock milliseconds with sub-millisecond precision, for span timestamps. */
export const nowMs = () => performance.timeOrigin + performance.now();

/**
 * Hands finished spans to an exporter (OTLP when configured). Without one, or for a trace its caller
 * marked unsampled, nothing is kept: ids are still made and propagated, which costs a few random bytes.
 */
export class Tracer {
  constructor(private readonly exporter?: SpanExporter) {}

  get recording(): boolean {
    return this.exporter !== undefined;
  }

  newSpanId(): string {
    return randomHex(8);
  }

  record(span: SpanData, flags: string): void {
    if (!this.exporter || (Number.parseInt(flags, 16) & 1) === 0) return;
    this.exporter.export(span);
  }

  shutdown(): Promise<void> {
    return this.exporter?.shutdown() ?? Promise.resolve();
  }
}

export function traceparentOf(trace: TraceParent, spanId = trace.spanId): string {
  return `00-${trace.traceId}-${spanId}-${trace.flags}`;
}
