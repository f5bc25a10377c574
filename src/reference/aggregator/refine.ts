import type { AggregatorSearchRequest, Product } from "../../models/search.ts";
import type { Offer } from "./marketplaces.ts";
import { convert, hasRate, RATE_TABLE, type RateCurrency } from "./rates.ts";

/** The request names a parameter value this Aggregator cannot serve; answered as 400 `parameter`. */
export class UnsupportedParameterError extends Error {
  constructor(
    readonly parameter: string,
    detail: string,
  ) {
    super(detail);
    this.name = "UnsupportedParameterError";
  }
}

/**
 * Throws UnsupportedParameterError for a request this Aggregator cannot serve, before any shop is asked;
 * else the currency to convert to, if any.
 */
export function checkSupported(request: AggregatorSearchRequest): RateCurrency | undefined {
  const currency = request.currency;
  if (currency === undefined) return undefined;
  if (!hasRate(currency))
    throw new UnsupportedParameterError("currency", `No conversion rate for ${currency}.`);
  return currency;
}

export interface Refined {
  results: Product[];
  has_more: boolean;
  total: number;
  rate_date?: string;
}

interface Priced {
  product: Product;
  /** What filters and price sorts compare: in the requested currency, else in USD. */
  price: number;
}

const byId = (a: Priced, b: Priced) =>
  a.product.id < b.product.id ? -1 : a.product.id > b.product.id ? 1 : 0;

// Every order ends with the offer id, unique in an answer, so the full order is total and pages cut
// from it never repeat or skip an offer.
const ORDERS: Record<string, ((a: Priced, b: Priced) => number) | undefined> = {
  price_asc: (a, b) => a.price - b.price || byId(a, b),
  price_desc: (a, b) => b.price - a.price || byId(a, b),
  rating_desc: (a, b) => (b.product.rating ?? -1) - (a.product.rating ?? -1) || byId(a, b),
};

function currencyOf(offer: Offer): RateCurrency {
  const currency = offer.product.currency;
  // The demo shops only price in table currencies; a shop that did not would be a bug in the demo.
  if (!hasRate(currency)) throw new Error(`no rate for ${currency}`);
  return currency;
}

/**
 * Converts, filters, sorts and pages offers already ranked by relevance. Without `currency` prices are
 * left as listed and compared in USD; with it every offer is shown in it, and `rate_date` says which
 * table converted them (only when one was converted).
 */
export function refine(ranked: readonly Offer[], request: AggregatorSearchRequest): Refined {
  const target = checkSupported(request);
  let converted = false;
  let priced: Priced[] = ranked.map((offer) => {
    const from = currencyOf(offer);
    if (target === undefined)
      return { product: offer.product, price: convert(offer.product.price, from, "USD") };
    if (from === target) return { product: offer.product, price: offer.product.price };
    converted = true;
    const price = convert(offer.product.price, from, target);
    return { product: { ...offer.product, price, currency: target }, price };
  });
  const { min_price: min, max_price: max } = request;
  if (min !== undefined) priced = priced.filter((p) => p.price >= min);
  if (max !== undefined) priced = priced.filter((p) => p.price <= max);
  const order = request.sort === undefined ? undefined : ORDERS[request.sort];
  if (order) priced.sort(order);
  const offset = request.offset ?? 0;
  const results = priced.slice(offset, offset + request.limit).map((p) => p.product);
  const refined: Refined = {
    results,
    has_more: offset + request.limit < priced.length,
    total: priced.length,
  };
  if (converted) refined.rate_date = RATE_TABLE.date;
  return refined;
}
