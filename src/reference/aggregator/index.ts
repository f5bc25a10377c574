import { type ListenOptions, listen, type RunningService } from "../service.ts";
import { createAggregatorApp } from "./app.ts";
import { buildCatalog } from "./catalog.ts";
import type { listenGrpc } from "./grpc.ts";
import { createMarketplaces, type MarketplaceOptions } from "./marketplaces.ts";

export { type AggregatorApp, type AggregatorOptions, createAggregatorApp } from "./app.ts";
export { buildCatalog, CATEGORIES, type CatalogCategory, type CatalogItem } from "./catalog.ts";
export type { RunningGrpcService } from "./grpc.ts";
export { MARKETPLACE_SPECS, type MarketplaceSpec } from "./marketplace-specs.ts";
export { createMarketplaces, type Marketplace, type MarketplaceOptions, type Offer } from "./marketplaces.ts";
export { queryTerms, type Rankable, rank, score, tokenize } from "./ranking.ts";
export { aggregateSearch } from "./search.ts";

export interface AggregatorServiceOptions extends ListenOptions {
  latencyMs?: MarketplaceOptions["latencyMs"];
  /** Also serve gRPC on this port (0 = any free one), on the same host; absent = HTTP only. */
  grpcPort?: number;
}

/** The reference Aggregator on HTTP and, when asked, gRPC too: one set of marketplaces behind both. */
export async function startAggregatorService(
  options: AggregatorServiceOptions = {},
): Promise<RunningService> {
  const marketplaces = createMarketplaces(
    buildCatalog(),
    options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs },
  );
  const http = await listen(createAggregatorApp({ marketplaces }), options);
  if (options.grpcPort === undefined) return http;
  const listenOn: ListenOptions = { port: options.grpcPort };
  if (options.hostname !== undefined) listenOn.hostname = options.hostname;
  let grpc: Awaited<ReturnType<typeof listenGrpc>>;
  try {
    // Loaded only when asked for: @grpc/grpc-js is heavy to load.
    const { listenGrpc: start } = await import("./grpc.ts");
    grpc = await start(marketplaces, listenOn);
  } catch (error) {
    await http.stop();
    throw error;
  }
  return {
    ...http,
    grpcUrl: grpc.url,
    stop: async () => void (await Promise.all([http.stop(), grpc.stop()])),
  };
}
