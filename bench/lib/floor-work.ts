/**
 * The floor's required work (bench/lib/floor.ts) as pieces the framework floors share, so that
 * floor-elysia and floor-required differ from the floor only in what they add around it: the same
 * token map, the same compiled contract reader, the same bounded cache, the same Aggregator call.
 */
import { LRUCache } from "lru-cache";
import { compileReader } from "../../src/models/contract-reader.ts";
import { AggregatorSearchResponse } from "../../src/models/search.ts";

const reader = compileReader(AggregatorSearchResponse);
const json = { "content-type": "application/json" };

/** What floor-product adds to the Aggregator call (the resilience and tracing issues' every-call work). */
export interface CallExtras {
  /** The cache key (the query itself without it). */
  key: string;
  headers: Record<string, string>;
  signal: AbortSignal;
}

export interface FloorWork {
  /** The user id of a verified bearer token, or undefined. */
  user(authorization: string | null): string | undefined;
  /** The cached answer text for `query` (no recency kept, as the floor). */
  cached(query: string): string | undefined;
  /** Asks the Aggregator, checks and keeps the contract's fields, caches the text; undefined when it fails the contract. */
  fetchAnswer(query: string, requestId: string, extras?: CallExtras): Promise<string | undefined>;
}

export function floorWork(aggregatorUrl: string, token: string, cacheEntries: number): FloorWork {
  const target = `${aggregatorUrl}/v1/search`;
  const verified = new Map<string, string>([[`Bearer ${token}`, "bench-user"]]);
  const cache = new LRUCache<string, string>({ max: Math.max(1, cacheEntries) });
  return {
    user: (authorization) => verified.get(authorization ?? ""),
    cached: (query) => cache.peek(query),
    async fetchAnswer(query, requestId, extras) {
      const upstream = await fetch(target, {
        method: "POST",
        headers: { ...json, "x-request-id": requestId, ...extras?.headers },
        body: JSON.stringify({ request_id: requestId, query, categories: [], limit: 20 }),
        ...(extras ? { signal: extras.signal } : {}),
      });
      const data = reader.read(await upstream.json());
      if (data === undefined) return undefined;
      const shared = JSON.stringify({ limit: 20, results: data.results.slice(0, 20) });
      cache.set(extras?.key ?? query, shared);
      return shared;
    },
  };
}

/** The answer: the request's own id spliced in front of the shared text, as the floor does. */
export const withRequestId = (requestId: string, shared: string) =>
  `{"request_id":"${requestId}",${shared.slice(1)}`;
