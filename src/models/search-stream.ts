import { type Static, t } from "elysia";
import { Problem } from "./problem.ts";
import { AggregatorSearchResponse, Product, RESULTS_MAX_ITEMS, SearchResponse, Source } from "./search.ts";

/**
 * One marketplace's answer as it arrives: its `Source` entry plus its offers, already filtered (categories
 * today; the price filters of the search parameters when they exist) and cut to the search's limit.
 */
export const MarketplaceResult = t.Object({
  ...Source.properties,
  results: t.Array(Product, { maxItems: RESULTS_MAX_ITEMS }),
});
export type MarketplaceResult = Static<typeof MarketplaceResult>;

/**
 * One message of the Aggregator's streaming search (docs/backends.md): any number of `source` messages,
 * one per marketplace as it answers, then exactly one `done` with the merged answer of POST /v1/search.
 * Over HTTP each is one NDJSON line; over gRPC the `SourceResult` oneof with the same field names.
 */
export const AggregatorStreamMessage = t.Union([
  t.Object({ source: MarketplaceResult }),
  t.Object({ done: AggregatorSearchResponse }),
]);
export type AggregatorStreamMessage = Static<typeof AggregatorStreamMessage>;

/**
 * The events of `GET /search/stream`, as Eden's SSE reader yields them: `event` is the SSE `event:`
 * field and `data` the JSON of its `data:` line. OpenAPI 3.1 has no schema for an event stream's items
 * (OAS 3.2's `itemSchema`), so the document describes the `text/event-stream` body as this oneOf.
 */
export const SourceEvent = t.Object(
  { event: t.Literal("source"), data: MarketplaceResult },
  { description: "One marketplace answered: its name, whether it worked, its time and its offers" },
);
export const DoneEvent = t.Object(
  { event: t.Literal("done"), data: SearchResponse },
  { description: "The merged, sorted, de-duplicated answer, exactly as GET /search answers; the last event" },
);
export const ErrorEvent = t.Object(
  { event: t.Literal("error"), data: Problem },
  {
    description:
      "RFC 9457 problem details: the gateway's deadline passed, the Aggregator failed mid-stream, or the gateway is shutting down (503, `retry_after`); the last event",
  },
);
export const SearchStreamEvent = t.Union([SourceEvent, DoneEvent, ErrorEvent]);
export type SearchStreamEvent = Static<typeof SearchStreamEvent>;
