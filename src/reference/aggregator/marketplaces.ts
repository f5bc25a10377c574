import type { Product } from "../../models/search.ts";
import { type CatalogItem, shopPrice } from "./catalog.ts";
import { MARKETPLACE_SPECS, type MarketplaceSpec } from "./marketplace-specs.ts";
import { between, fnv1a, rngFor } from "./prng.ts";
import { matchesAny, queryTerms, type Rankable, tokenize } from "./ranking.ts";

/** A priced listing: the Product the API returns plus what ranking needs. */
export interface Offer extends Rankable {
  product: Product;
}

/** One demo shop. search() is async because real marketplaces are remote; see `latencyMs`. */
export interface Marketplace {
  name: string;
  currency: string;
  offers: readonly Offer[];
  search(query: string): Promise<Offer[]>;
}

export interface MarketplaceOptions {
  /** Artificial delay per search in ms: one value for all shops, or per shop name. Default 0. */
  latencyMs?: number | Readonly<Record<string, number>>;
}

/** Which shops list an item; never none, so every catalog product can be found somewhere. */
function listedOn(item: CatalogItem, specs: readonly MarketplaceSpec[]): Set<string> {
  const names = specs
    .filter((spec) => rngFor(`listed|${spec.name}|${item.sku}`)() < spec.coverage)
    .map((s) => s.name);
  const fallback = specs[fnv1a(item.sku) % specs.length];
  if (names.length === 0 && fallback !== undefined) names.push(fallback.name);
  return new Set(names);
}

function makeOffer(spec: MarketplaceSpec, item: CatalogItem, tokens: readonly string[]): Offer {
  const rng = rngFor(`offer|${spec.name}|${item.sku}`);
  const shopUsd = item.msrp * between(rng, ...spec.priceRange);
  const price = shopPrice(shopUsd * spec.perUsd);
  const base = `https://${spec.name}.example`;
  const product: Product = {
    id: `${spec.name}:${item.sku}`,
    title: item.title,
    price,
    currency: spec.currency,
    url: `${base}/p/${item.sku}`,
    source: spec.name,
  };
  // Draw every number unconditionally so changing one share does not shift the others' sequence.
  const [imageDraw, ratingDraw, jitter] = [rng(), rng(), between(rng, -0.2, 0.2)];
  if (imageDraw < spec.imageShare) product.image_url = `${base}/img/${item.sku}.jpg`;
  if (ratingDraw < spec.ratingShare)
    product.rating = Math.min(5, Math.max(0, Math.round((item.rating + jitter) * 10) / 10));
  return {
    product,
    id: product.id,
    brand: item.brand,
    category: item.category,
    tokens,
    priceUsd: price / spec.perUsd,
  };
}

function latencyFor(name: string, latency: MarketplaceOptions["latencyMs"]): number {
  const ms = typeof latency === "number" ? latency : (latency?.[name] ?? 0);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** The demo shops over a catalog; deterministic like the catalog itself. */
export function createMarketplaces(
  catalog: readonly CatalogItem[],
  options: MarketplaceOptions = {},
): Marketplace[] {
  const offers = new Map<string, Offer[]>(MARKETPLACE_SPECS.map((spec) => [spec.name, []]));
  for (const item of catalog) {
    const tokens = tokenize(item.title);
    const shops = listedOn(item, MARKETPLACE_SPECS);
    for (const spec of MARKETPLACE_SPECS) {
      if (shops.has(spec.name)) offers.get(spec.name)?.push(makeOffer(spec, item, tokens));
    }
  }
  return MARKETPLACE_SPECS.map((spec) => {
    const listed = offers.get(spec.name) ?? [];
    const delay = latencyFor(spec.name, options.latencyMs);
    return {
      name: spec.name,
      currency: spec.currency,
      offers: listed,
      search: async (query) => {
        if (delay > 0) await Bun.sleep(delay);
        const terms = queryTerms(query);
        return listed.filter((offer) => matchesAny(terms, offer));
      },
    };
  });
}
