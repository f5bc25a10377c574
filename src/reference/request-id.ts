import { Elysia } from "elysia";
import { REQUEST_ID_MAX_LENGTH } from "../models/search.ts";

export const REQUEST_ID_HEADER = "x-request-id";

// Only echo ids that are safe to reflect: visible ASCII, bounded like the aggregator's request_id field.
const SAFE_REQUEST_ID = new RegExp(`^[\\x21-\\x7e]{1,${REQUEST_ID_MAX_LENGTH}}$`);

/** The id when it is one worth echoing; anything else is ignored rather than rejected. */
export function echoableRequestId(id: unknown): string | undefined {
  return typeof id === "string" && SAFE_REQUEST_ID.test(id) ? id : undefined;
}

/** The caller's request id when it is one worth echoing. */
export function requestIdOf(request: Request): string | undefined {
  return echoableRequestId(request.headers.get(REQUEST_ID_HEADER));
}

/**
 * Echoes `X-Request-Id` on every response, errors included, so the gateway can correlate backend
 * answers with its own logs. Set in onRequest because that runs even for unmatched routes.
 */
export const requestIdEcho = new Elysia({ name: "reference-request-id" }).onRequest(({ request, set }) => {
  const id = requestIdOf(request);
  if (id !== undefined) set.headers[REQUEST_ID_HEADER] = id;
});
