import { t } from "elysia";
import { Problem } from "../../models/problem.ts";

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

/** RFC 6749 §5.1: an answer that holds tokens must not be stored by any cache. */
export const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;
