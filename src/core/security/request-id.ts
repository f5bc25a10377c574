import { randomUUID } from "node:crypto";
import { REQUEST_ID_MAX_LENGTH } from "../../models/search.ts";
import { randomHex } from "./random-hex.ts";

const SANE_ID = new RegExp(`^[A-Za-z0-9._-]{1,${REQUEST_ID_MAX_LENGTH}}$`);
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** A client's id is kept only if it cannot smuggle anything into logs or headers. */
export function requestIdFrom(header: string | null): string {
  return header !== null && SANE_ID.test(header) ? header : randomUUID();
}

export interface TraceContext {
  traceId: string;
  /** The span id of this gateway hop: the parent of its backend calls' spans. */
  spanId: string;
  flags: string;
  /** The caller's span, when it sent a traceparent. */
  parentSpanId?: string;
}

/** Joins the caller's W3C trace when its traceparent is valid, else starts a new one. */
export function traceFrom(header: string | null): TraceContext {
  const match = header === null ? null : TRACEPARENT.exec(header.trim().toLowerCase());
  if (match?.[1] && match[3] && match[1] !== ZERO_TRACE && match[2] !== ZERO_SPAN) {
    const spanId = randomHex(8);
    return { traceId: match[1], spanId, flags: match[3], ...(match[2] ? { parentSpanId: match[2] } : {}) };
  }
  // A new trace and its first span from one draw of random bytes.
  const ids = randomHex(24);
  return { traceId: ids.slice(0, 32), spanId: ids.slice(32), flags: "01" };
}

export function traceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}
