import type { AggregatorSearchRequest, AggregatorSearchResponse, Source } from "../../models/search.ts";
import type { Marketplace, Offer } from "./marketplaces.ts";
import { rank } from "./ranking.ts";
import { refine } from "./refine.ts";

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
 * Asks every marketplace at once (total latency is the slowest shop's, not the sum), then merges and
 * ranks the offers, keeps the requested categories (none = all), then converts, filters, sorts and
 * cuts the page `offset`..`offset + limit` (refine.ts).
 */
export async function aggregateSearch(
  marketplaces: readonly Marketplace[],
  request: AggregatorSearchRequest,
): Promise<AggregatorSearchResponse> {
  const only = request.sources === undefined ? undefined : new Set(request.sources);
  // A name no shop has is simply not asked: "only these" of none is an empty answer, not an error.
  const asked = only === undefined ? marketplaces : marketplaces.filter((m) => only.has(m.name));
  const fetched = await Promise.all(asked.map((marketplace) => ask(marketplace, request.query)));
  const wanted = new Set(request.categories);
  const offers = fetched
    .flatMap((entry) => entry.offers)
    .filter((offer) => wanted.size === 0 || wanted.has(offer.category));
  const refined = refine(rank(request.query, offers), request);
  return { request_id: request.request_id, ...refined, sources: fetched.map((entry) => entry.source) };
}
