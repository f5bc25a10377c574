import { withHeaders } from "@elysiajs/openapi";
import type { TSchema } from "@sinclair/typebox";
import { Type } from "@sinclair/typebox";
import { t } from "elysia";
import { Problem } from "../../models/problem.ts";
import { REQUEST_ID_MAX_LENGTH } from "../../models/search.ts";

/** Problem responses as documented in OpenAPI; the body is always the same `Problem` schema. */
function problem(status: number, description: string, code: string, detail: string) {
  return t.Object(Problem.properties, {
    description,
    examples: [
      {
        type: `/problems/${code}`,
        title: description,
        status,
        detail,
        request_id: "3f6c0a52-5b7e-4c1d-9a1f-0c2b7d9e4a11",
      },
    ],
  });
}

export const problemResponses = {
  400: problem(400, "Bad request", "bad-request", "The request body is not valid JSON."),
  401: problem(401, "Unauthorized", "unauthorized", "The bearer token is invalid or expired."),
  403: problem(
    403,
    "Forbidden",
    "forbidden",
    "Your free plan allows at most 2 categories per search; 3 were given.",
  ),
  404: problem(404, "Not found", "not-found", "There is no such resource."),
  413: problem(413, "Payload too large", "payload-too-large", "The request body exceeds 16384 bytes."),
  415: problem(
    415,
    "Unsupported media type",
    "unsupported-media-type",
    'Content type "text/plain" is not accepted.',
  ),
  422: problem(422, "Invalid input", "invalid-input", "The search request is not valid."),
  429: problem(429, "Too many requests", "rate-limited", "More than 30 requests per minute; retry in 2 s."),
  500: problem(
    500,
    "Internal server error",
    "internal",
    "Something went wrong on our side; the request id identifies it.",
  ),
  502: problem(
    502,
    "Bad gateway",
    "bad-upstream",
    "The Aggregator service sent an answer that breaks its contract.",
  ),
  503: problem(503, "Service unavailable", "upstream-unavailable", "The Aggregator service is unreachable."),
  504: problem(
    504,
    "Gateway timeout",
    "upstream-timeout",
    "The Aggregator service did not answer within 5000 ms.",
  ),
} as const;

export type ProblemStatus = keyof typeof problemResponses;

/** RFC 6749 §5.1: an answer that holds tokens must not be stored by any cache. */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

// The response headers the gateway sends, spelled as the OWASP ruleset looks them up.
const REQUEST_ID = t.String({
  maxLength: REQUEST_ID_MAX_LENGTH,
  description: "The client's `X-Request-Id` when it is `^[A-Za-z0-9._-]{1,128}$`, else a fresh UUID",
});
const RATE_LIMIT = {
  RateLimit: t.String({
    maxLength: 200,
    description:
      'draft-ietf-httpapi-ratelimit-headers: the most constrained policy, `"<name>";r=<remaining>;t=<seconds>`',
  }),
  "RateLimit-Policy": t.String({
    maxLength: 1000,
    description: 'Every plan limit that applies, `"<name>";q=<quota>;w=<window seconds>`, comma-separated',
  }),
};
// Delay-seconds (RFC 9110 §10.2.3); the longest wait a limit imposes is a day's window.
const RETRY_AFTER = Type.Integer({
  format: "int32",
  minimum: 1,
  maximum: 86400,
  description: "Seconds to wait before retrying (RFC 9110 §10.2.3)",
});
const WWW_AUTHENTICATE = t.String({
  maxLength: 200,
  description:
    'RFC 6750 §3 challenge: `Bearer realm="gateway"`, with `error="invalid_token"` for a bad token',
});
const X_CACHE = t.Union([t.Literal("HIT"), t.Literal("MISS"), t.Literal("STALE")], {
  description:
    "Whether the search cache answered: fresh (HIT), not at all (MISS), or stale while the Aggregator failed",
});

const ALLOW_ORIGIN = t.String({
  maxLength: 2048,
  description: "Only for an `Origin` that GATEWAY_CORS_ORIGINS allows: that origin, or `*`",
});

export interface ResponseOptions {
  /** The route's plan limits are checked: its answers carry RateLimit and RateLimit-Policy. */
  rateLimited?: boolean;
  /** The route's answer may come from the search cache (X-Cache). */
  cached?: boolean;
}

/** Which headers an answer with this status carries, from the mechanisms that set them. */
function headersFor(
  status: number,
  isProblem: boolean,
  { rateLimited = false, cached = false }: ResponseOptions,
) {
  const headers: Record<string, TSchema> = {
    "X-Request-Id": REQUEST_ID,
    "Access-Control-Allow-Origin": ALLOW_ORIGIN,
  };
  // Only answers given after the limiter decided: a bad token and malformed input are refused before it,
  // but a query too long once trimmed is a 422 after it (an invalid search still costs a request token),
  // and so are a search's 400s of a bad cursor or a parameter the Aggregator does not support.
  if (
    rateLimited &&
    (status < 300 || status === 400 || status === 403 || status === 422 || status === 429 || status >= 500)
  )
    Object.assign(headers, RATE_LIMIT);
  if (cached && status === 200) headers["X-Cache"] = X_CACHE;
  if (status === 401) headers["WWW-Authenticate"] = WWW_AUTHENTICATE;
  if (isProblem && (status === 429 || status === 503)) headers["Retry-After"] = RETRY_AFTER;
  return headers;
}

/**
 * A route's `response` map: its own answers and the problems it can send, each with the headers that
 * come with that status, so the document says what the gateway really sends. Every route uses it.
 */
export function responses<const S extends Record<number, TSchema>, const P extends ProblemStatus>(
  own: S,
  problems: readonly P[],
  options: ResponseOptions = {},
): { [K in keyof S]: S[K] } & { [K in P]: (typeof problemResponses)[K] } {
  const map: Record<number, TSchema> = {};
  for (const [status, schema] of Object.entries(own))
    map[Number(status)] = withHeaders(schema as never, headersFor(Number(status), false, options));
  // Every route can answer 400 (an invalid Host, RFC 9112 §3.2) and 500; a route's own 400 comes first.
  const all = new Set<ProblemStatus>([400, ...problems, 500]);
  for (const status of all)
    if (!(status in own))
      map[status] = withHeaders(problemResponses[status] as never, headersFor(status, true, options));
  return map as never;
}
