import { Elysia } from "elysia";
import { AggregatorSearchRequest } from "../../models/search.ts";
import { problemErrors, problemResponse } from "../problem.ts";
import { requestIdEcho } from "../request-id.ts";
import { buildCatalog } from "./catalog.ts";
import { createMarketplaces, type Marketplace, type MarketplaceOptions } from "./marketplaces.ts";
import { checkSupported, UnsupportedParameterError } from "./refine.ts";
import { aggregateSearch, streamSearch } from "./search.ts";

export interface AggregatorOptions extends MarketplaceOptions {
  /** Replaces the demo shops, e.g. with a failing or slow one in tests. */
  marketplaces?: readonly Marketplace[];
}

const encoder = new TextEncoder();

/** The contract's refusal of one parameter (docs/backends.md): 400 naming it in `parameter`. */
function unsupported(error: unknown, request: Request): Response {
  if (!(error instanceof UnsupportedParameterError)) throw error;
  return problemResponse({
    status: 400,
    slug: "unsupported-parameter",
    title: "Unsupported parameter",
    detail: error.message,
    request,
    extensions: { parameter: error.parameter },
  });
}

/** The streaming search as NDJSON: one message per line, written as each marketplace answers. */
function ndjson(messages: AsyncGenerator<unknown>, abort: AbortController): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await messages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
    },
    cancel() {
      abort.abort();
    },
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
}

/** The Aggregator's HTTP surface: the search over the demo marketplaces, whole or as a stream. */
export function createAggregatorApp(options: AggregatorOptions = {}) {
  const catalog = buildCatalog();
  const marketplaces = options.marketplaces ?? createMarketplaces(catalog, options);
  return new Elysia()
    .use(requestIdEcho)
    .use(problemErrors)
    .get("/healthz", () => ({ status: "ok" as const, products: catalog.length }))
    .post(
      "/v1/search",
      ({ body, request }) =>
        aggregateSearch(marketplaces, body).catch((error) => unsupported(error, request)),
      { body: AggregatorSearchRequest },
    )
    .post(
      "/v1/search/stream",
      ({ body, request }) => {
        // Refused before the stream starts, so the refusal is a plain 400, not a broken stream.
        try {
          checkSupported(body);
        } catch (error) {
          return unsupported(error, request);
        }
        // The client going away (request.signal) or cancelling the body both stop the search.
        const abort = new AbortController();
        request.signal.addEventListener("abort", () => abort.abort(), { once: true });
        return ndjson(streamSearch(marketplaces, body, abort.signal), abort);
      },
      { body: AggregatorSearchRequest },
    );
}

export type AggregatorApp = ReturnType<typeof createAggregatorApp>;
