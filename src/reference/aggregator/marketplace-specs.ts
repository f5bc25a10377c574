/** The demo shops. Numbers are fixed, not random, so every run prices the catalog identically. */
export interface MarketplaceSpec {
  name: string;
  currency: "USD" | "EUR";
  /** Units of `currency` per USD; fixed so prices are reproducible. */
  perUsd: number;
  /** Share of the catalog listed; together they put most products on two or more shops. */
  coverage: number;
  /** Price range relative to list price, so the same product costs differently per shop. */
  priceRange: readonly [number, number];
  /** Shares of offers that carry an image and a rating (optional fields of Product). */
  imageShare: number;
  ratingShare: number;
}

export const MARKETPLACE_SPECS: readonly MarketplaceSpec[] = [
  {
    name: "shopnow",
    currency: "USD",
    perUsd: 1,
    coverage: 0.85,
    priceRange: [0.94, 1.04],
    imageShare: 1,
    ratingShare: 1,
  },
  {
    name: "megamart",
    currency: "USD",
    perUsd: 1,
    coverage: 0.8,
    priceRange: [0.88, 1],
    imageShare: 0.6,
    ratingShare: 0.85,
  },
  {
    name: "pricehunter",
    currency: "EUR",
    perUsd: 0.92,
    coverage: 0.75,
    priceRange: [0.9, 1.03],
    imageShare: 0,
    ratingShare: 0.5,
  },
];
