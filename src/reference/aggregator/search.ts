import type { AggregatorSearchRequest, AggregatorSearchResponse, Source } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { Marketplace, Offer } from "./marketplaces.ts";
import { rank } from "./ranking.ts";

interface Fetched {
  source: Source;
  offers: Offer[];
}

async function ask(marketplace: Marketplace, query: string): Promise<Fetched> {
  const started = performance.now();
  const took = () => Math.round((performance.now() - started) * 100) / 100;
  try {
    const offers = await marketplace.search(query);
    return { source: { name: marketplace.name, ok: true, took_ms: took() }, offers };
  } catch {
    // One failing shop must not fail the search; the gateway sees it as `ok: false` in sources.
    return { source: { name: marketplace.name, ok: false, took_ms: took() }, offers: [] };
  }
}

/** The requested categories (none = all), ranked for the query and cut to `limit`. */
function answerOf(request: AggregatorSearchRequest, offers: readonly Offer[]) {
  const wanted = new Set(request.categories);
  const kept = offers.filter((offer) => wanted.size === 0 || wanted.has(offer.category));
  return rank(request.query, kept)
    .slice(0, request.limit)
    .map((offer) => offer.product);
}

function merged(request: AggregatorSearchRequest, fetched: readonly Fetched[]): AggregatorSearchResponse {
  const results = answerOf(
    request,
    fetched.flatMap((entry) => entry.offers),
  );
  return { request_id: request.request_id, results, sources: fetched.map((entry) => entry.source) };
}

/**
 * Asks every marketplace at once (total latency is the slowest shop's, not the sum), then merges and
 * ranks the offers, keeps the requested categories (none = all) and cuts to `limit`.
 */
export async function aggregateSearch(
  marketplaces: readonly Marketplace[],
  request: AggregatorSearchRequest,
): Promise<AggregatorSearchResponse> {
  const fetched = await Promise.all(marketplaces.map((marketplace) => ask(marketplace, request.query)));
  return merged(request, fetched);
}

/**
 * The same search, told as it happens: one `source` message per marketplace in the order they answer
 * (each shop's own offers, filtered and cut like the merged list), then `done` with what
 * `aggregateSearch` answers. Stops asking for more once `signal` aborts (the client went away).
 */
export async function* streamSearch(
  marketplaces: readonly Marketplace[],
  request: AggregatorSearchRequest,
  signal?: AbortSignal,
): AsyncGenerator<AggregatorStreamMessage> {
  const pending = new Map(
    marketplaces.map((marketplace, index) => [
      index,
      ask(marketplace, request.query).then((fetched) => ({ index, fetched })),
    ]),
  );
  const fetched: Fetched[] = [];
  while (pending.size > 0) {
    if (signal?.aborted) return;
    const { index, fetched: one } = await Promise.race(pending.values());
    pending.delete(index);
    fetched[index] = one;
    yield { source: { ...one.source, results: answerOf(request, one.offers) } };
  }
  if (signal?.aborted) return;
  yield { done: merged(request, fetched) };
}
