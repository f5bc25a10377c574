import { Elysia } from "elysia";
import { rateLimitHeaders } from "../rate-limit-headers.ts";
import { requestMeta } from "./request-context.ts";

/**
 * The one place the outcome the services returned becomes headers: RateLimit and RateLimit-Policy from
 * the limiter's decision, X-Cache from the search cache's state. A map-response hook, because it runs
 * for every answer: a route's value, a route's own Response (json-text.ts), and the problem+json of an
 * error (a 429 thrown after the decision was stored on the request meta).
 */
export const answerHeaders = new Elysia({ name: "answer-headers" })
  .mapResponse(({ request, response, set }) => {
    const { limits, cache } = requestMeta(request);
    // Returned even when unchanged: a hook that returns nothing loses the body of a 404 (Elysia 1.4).
    if (!limits && !cache) return response as Response;
    const headers: Record<string, string> = limits ? rateLimitHeaders(limits) : {};
    if (cache) headers["x-cache"] = cache;
    // Onto the Response itself: headers left in `set` would make Elysia rebuild it around a stream.
    if (response instanceof Response)
      for (const name in headers) response.headers.set(name, headers[name] as string);
    else Object.assign(set.headers, headers);
    return response as Response;
  })
  .as("global");
