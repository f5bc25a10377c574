import { type ListenOptions, listen, type RunningService } from "../service.ts";
import { createAggregatorApp } from "./app.ts";
import type { MarketplaceOptions } from "./marketplaces.ts";

export { type AggregatorApp, type AggregatorOptions, createAggregatorApp } from "./app.ts";
export { buildCatalog, CATEGORIES, type CatalogCategory, type CatalogItem } from "./catalog.ts";
export { MARKETPLACE_SPECS, type MarketplaceSpec } from "./marketplace-specs.ts";
export { createMarketplaces, type Marketplace, type MarketplaceOptions, type Offer } from "./marketplaces.ts";
export { queryTerms, type Rankable, rank, score, tokenize } from "./ranking.ts";
export { aggregateSearch } from "./search.ts";

export interface AggregatorServiceOptions extends ListenOptions {
  latencyMs?: MarketplaceOptions["latencyMs"];
}

export function startAggregatorService(options: AggregatorServiceOptions = {}): Promise<RunningService> {
  const app = createAggregatorApp(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs });
  return listen(app, options);
}
