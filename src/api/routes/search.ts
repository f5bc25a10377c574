import { Elysia } from "elysia";
import type { Caller } from "../../models/caller.ts";
import { readSearchQuery, SearchBody, SearchQuery, SearchResponse } from "../../models/search.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { Limiter } from "../../services/limiter.ts";
import type { Admission, SearchInput, SearchService, Served } from "../../services/search-service.ts";
import { jsonText } from "../json-text.ts";
import { authentication, identified } from "../plugins/auth.ts";
import { type AnswerSet, type RequestMeta, requestContext } from "../plugins/request-context.ts";
import { checkedQuery, queryParameters, typeOnly } from "./checked-query.ts";
import { HotQueries, queryStringOf } from "./hot-queries.ts";
import { responses } from "./responses.ts";

const response = responses({ 200: SearchResponse }, [400, 401, 403, 413, 415, 422, 429, 502, 503, 504], {
  rateLimited: true,
  cached: true,
});

const description =
  "Searches every marketplace through the Aggregator. More categories than the plan allows is a 403; " +
  "a `limit` above the plan's maximum is clamped (the answer's `limit` says what was used).";

type Answer = Response | Promise<Response>;

export function searchRoutes(auth: AuthService, limiter: Limiter, search: SearchService) {
  // No async function on the way of a hit: with in-process stores neither the limiter nor the cache
  // answers with a promise, and each await (or promise returned from an async function) would cost the
  // request turns of the event loop. A promise is followed only where one is given.
  const run = (input: SearchInput, caller: Caller, meta: RequestMeta, set: AnswerSet): Answer => {
    const admitted = search.admit(input, caller);
    return admitted instanceof Promise
      ? admitted.then((admission) => serve(admission, meta, set))
      : serve(admitted, meta, set);
  };
  const serve = (admission: Admission, meta: RequestMeta, set: AnswerSet): Answer => {
    // Before `serve` may throw, so that its refusal or failure still reports the decision.
    meta.limits = admission.limits;
    const served = search.serve(admission, meta.call);
    return served instanceof Promise ? served.then((s) => respond(s, meta, set)) : respond(served, meta, set);
  };
  const respond = ({ answer, cache }: Served, meta: RequestMeta, set: AnswerSet) => {
    meta.cache = cache;
    // Sent as the text the service built: its parts were checked where they came from (request schema,
    // Aggregator contract, cache), so Elysia re-checking and re-serializing them would only repeat work.
    return jsonText(answer.json, set);
  };
  const hot = new HotQueries();
  const searchQuery = (request: Request, caller: Caller, meta: RequestMeta, set: AnswerSet): Answer => {
    const { url } = request;
    const queryString = queryStringOf(url);
    const shared = hot.get(queryString);
    const input = shared ?? checkedQuery(SearchQuery, readSearchQuery(url));
    const answer = run(input, caller, meta, set);
    // A hit is answered without a promise, so its outcome is on the meta already.
    if (shared === undefined && meta.cache === "HIT") hot.keep(queryString, input);
    return answer;
  };
  return (
    new Elysia({ name: "routes/search" })
      .use(requestContext)
      .use(authentication(auth, limiter))
      // One step, in the order the identify macro and Elysia's query check keep for POST: the caller
      // (401 before anything about the input), then the query string read as sent and checked (422).
      .get(
        "/search",
        ({ request, meta, set }): Answer => {
          const authorization = request.headers.get("authorization");
          const known = auth.known(authorization);
          if (known !== undefined) return searchQuery(request, identified(meta, known), meta, set);
          return auth
            .authenticate(authorization, meta.call)
            .then((caller) => searchQuery(request, identified(meta, caller), meta, set));
        },
        {
          query: typeOnly(SearchQuery),
          response,
          detail: {
            tags: ["search"],
            summary: "Search products",
            operationId: "getSearch",
            description: `${description} \`categories\` may be comma-separated or repeated.`,
            parameters: queryParameters(SearchQuery),
            // What the identify macro documents for the routes it guards.
            security: [{ bearer: [] }, { oauth2: [] }],
          },
        },
      )
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
      })
  );
}
