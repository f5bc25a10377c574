import { Elysia } from "elysia";
import { AggregatorSearchRequest } from "../../models/search.ts";
import { problemErrors } from "../problem.ts";
import { requestIdEcho } from "../request-id.ts";
import { buildCatalog } from "./catalog.ts";
import { createMarketplaces, type Marketplace, type MarketplaceOptions } from "./marketplaces.ts";
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
    .post("/v1/search", ({ body }) => aggregateSearch(marketplaces, body), { body: AggregatorSearchRequest });
}

export type AggregatorApp = ReturnType<typeof createAggregatorApp>;
