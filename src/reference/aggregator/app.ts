import { Elysia } from "elysia";
import { AggregatorSearchRequest } from "../../models/search.ts";
import { problemErrors, problemResponse } from "../problem.ts";
import { requestIdEcho } from "../request-id.ts";
import { buildCatalog } from "./catalog.ts";
import { createMarketplaces, type Marketplace, type MarketplaceOptions } from "./marketplaces.ts";
import { UnsupportedParameterError } from "./refine.ts";
import { aggregateSearch } from "./search.ts";

export interface AggregatorOptions extends MarketplaceOptions {
  /** Replaces the demo shops, e.g. with a failing or slow one in tests. */
  marketplaces?: readonly Marketplace[];
}

/** The Aggregator's HTTP surface: one search endpoint over the demo marketplaces. */
export function createAggregatorApp(options: AggregatorOptions = {}) {
  const catalog = buildCatalog();
  const marketplaces = options.marketplaces ?? createMarketplaces(catalog, options);
  return new Elysia()
    .use(requestIdEcho)
    .use(problemErrors)
    .get("/healthz", () => ({ status: "ok" as const, products: catalog.length }))
    .post(
      "/v1/search",
      async ({ body, request }) => {
        try {
          return await aggregateSearch(marketplaces, body);
        } catch (error) {
          if (!(error instanceof UnsupportedParameterError)) throw error;
          // The contract's refusal of one parameter (docs/backends.md): 400 naming it in `parameter`.
          return problemResponse({
            status: 400,
            slug: "unsupported-parameter",
            title: "Unsupported parameter",
            detail: error.message,
            request,
            extensions: { parameter: error.parameter },
          });
        }
      },
      { body: AggregatorSearchRequest },
    );
}

export type AggregatorApp = ReturnType<typeof createAggregatorApp>;
