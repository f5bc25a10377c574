import { Elysia } from "elysia";
import type { Caller } from "../../models/caller.ts";
import { readSearchQuery, SearchBody, SearchQuery, SearchResponse } from "../../models/search.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { Limiter } from "../../services/limiter.ts";
import type { SearchInput, SearchService } from "../../services/search-service.ts";
import { jsonText } from "../json-text.ts";
import { authentication } from "../plugins/auth.ts";
import { type RequestMeta, requestContext } from "../plugins/request-context.ts";
import { responses } from "./responses.ts";

const response = responses({ 200: SearchResponse }, [400, 401, 403, 413, 415, 422, 429, 502, 503, 504], {
  rateLimited: true,
  cached: true,
});

const description =
  "Searches every marketplace through the Aggregator. More categories than the plan allows is a 403; " +
  "a `limit` above the plan's maximum is clamped (the answer's `limit` says what was used).";

export function searchRoutes(auth: AuthService, limiter: Limiter, search: SearchService) {
  const run = async (
    input: SearchInput,
    caller: Caller,
    meta: RequestMeta,
    set: { headers: Record<string, unknown> },
  ) => {
    const admission = await search.admit(input, caller);
    // Before `serve` may throw, so that its refusal or failure still reports the decision.
    meta.limits = admission.limits;
    const { answer, cache } = await search.serve(admission, meta.call);
    meta.cache = cache;
    // Sent as the text the service built: its parts were checked where they came from (request schema,
    // Aggregator contract, cache), so Elysia re-checking and re-serializing them would only repeat work.
    return jsonText(answer.json, set);
  };
  return new Elysia({ name: "routes/search" })
    .use(requestContext)
    .use(authentication(auth, limiter))
    .get("/search", ({ query, caller, meta, set }) => run(query, caller, meta, set), {
      identify: true,
      transform: (context) => {
        context.query = readSearchQuery(context.request.url) as typeof context.query;
      },
      query: SearchQuery,
      response,
      detail: {
        tags: ["search"],
        summary: "Search products",
        operationId: "getSearch",
        description: `${description} \`categories\` may be comma-separated or repeated.`,
      },
    })
    .post("/search", ({ body, caller, meta, set }) => run(body, caller, meta, set), {
      identify: true,
      body: SearchBody,
      parse: "json",
      response,
      detail: {
        tags: ["search"],
        summary: "Search products (JSON body)",
        operationId: "postSearch",
        description,
      },
    });
}
