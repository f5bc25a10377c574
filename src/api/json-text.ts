interface Set {
  headers: Record<string, unknown>;
}

/**
 * Sends JSON that is already text, as it is. Elysia validates and re-serializes whatever a handler
 * returns unless it is a Response, and rebuilds a returned Response (its body as a stream) whenever
 * `set.headers` is not empty; so the headers gathered so far (request id, CORS, RateLimit and X-Cache,
 * written when the route stored the outcome on the request meta) move into this Response and
 * `set.headers` is left empty.
 */
export function jsonText(text: string, set: Set): Response {
  // The gathered record itself, not a copy: the Response converts each value as Headers does.
  const { headers } = set;
  headers["content-type"] = "application/json";
  set.headers = {};
  return new Response(text, { headers: headers as Record<string, string> });
}
