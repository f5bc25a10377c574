import type { AggregatorSearchRequest, AggregatorSearchResponse, Source } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { Marketplace, Offer } from "./marketplaces.ts";
import { rank } from "./ranking.ts";
import { checkSupported, type Refined, refine } from "./refine.ts";

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

/**
 * The requested categories (none = all), ranked for the query, then converted, filtered, sorted and
 * cut to the page `offset`..`offset + limit` (refine.ts).
 */
function answerOf(request: AggregatorSearchRequest, offers: readonly Offer[]): Refined {
  const wanted = new Set(request.categories);
  const kept = offers.filter((offer) => wanted.size === 0 || wanted.has(offer.category));
  return refine(rank(request.query, kept), request);
}

function merged(request: AggregatorSearchRequest, fetched: readonly Fetched[]): AggregatorSearchResponse {
  const refined = answerOf(
    request,
    fetched.flatMap((entry) => entry.offers),
  );
  return { request_id: request.request_id, ...refined, sources: fetched.map((entry) => entry.source) };
}

/** Only the marketplaces `sources` names; a name no shop has is simply not asked (an empty answer). */
function askedOf(marketplaces: readonly Marketplace[], request: AggregatorSearchRequest) {
  const only = request.sources === undefined ? undefined : new Set(request.sources);
  return only === undefined ? marketplaces : marketplaces.filter((m) => only.has(m.name));
}

/**
 * Asks every marketplace at once (total latency is the slowest shop's, not the sum), then merges and
 * ranks the offers, keeps the requested categories (none = all), then converts, filters, sorts and
 * cuts the page `offset`..`offset + limit` (refine.ts). A currency without a rate is refused first.
 */
export async function aggregateSearch(
  marketplaces: readonly Marketplace[],
  request: AggregatorSearchRequest,
): Promise<AggregatorSearchResponse> {
  checkSupported(request);
  const fetched = await Promise.all(
    askedOf(marketplaces, request).map((marketplace) => ask(marketplace, request.query)),
  );
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
    askedOf(marketplaces, request).map((marketplace, index) => [
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
    yield { source: { ...one.source, results: answerOf(request, one.offers).results } };
  }
  if (signal?.aborted) return;
  yield { done: merged(request, fetched) };
}
