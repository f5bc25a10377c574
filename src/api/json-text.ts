import type { LimitDecision } from "../services/limiter.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";

interface Set {
  headers: Record<string, unknown>;
}

/**
 * Sends JSON that is already text, as it is. Elysia validates and re-serializes whatever a handler
 * returns unless it is a Response, and rebuilds a returned Response (its body as a stream) whenever
 * `set.headers` is not empty; so the headers gathered so far (request id, CORS, RateLimit) move into this
 * Response and `set.headers` is left empty. The auth plugin's after-handle adds no headers to a
 * Response, so a route answering with one passes its limits here.
 */
export function jsonText(text: string, set: Set, limits: LimitDecision | undefined): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const name in set.headers) headers[name] = String(set.headers[name]);
  if (limits) Object.assign(headers, rateLimitHeaders(limits));
  set.headers = {};
  return new Response(text, { headers });
}
