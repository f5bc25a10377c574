import { CATEGORIES, type CatalogCategory, VARIANTS } from "./catalog-data.ts";
import { CATALOG_TABLE } from "./catalog-table.ts";
import { between, rngFor } from "./prng.ts";

export { CATEGORIES, type CatalogCategory } from "./catalog-data.ts";

/** One product as the manufacturer sells it; marketplaces turn these into priced offers. */
export interface CatalogItem {
  /** URL-safe and unique across the catalog, e.g. "apple-iphone-15-pro-256gb". */
  sku: string;
  title: string;
  brand: string;
  category: CatalogCategory;
  /** List price in USD, before any marketplace's markup or discount. */
  msrp: number;
  /** Baseline rating in [3.5, 4.9], shared by a model line's variants; marketplaces jitter it. */
  rating: number;
}

export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .toLowerCase()
    .replace(/["+]/g, (c) => (c === "+" ? " plus " : " inch "))
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Whole dollars ending in .99, as shops price them. */
export function shopPrice(usd: number): number {
  return Math.max(0, Math.round(usd)) - 0.01;
}

/**
 * Expands the tables into the full catalog. Pure: no clock and no Math.random, so every run (and every
 * process, e.g. the gateway's tests and a running demo) sees exactly the same products.
 */
export function buildCatalog(): CatalogItem[] {
  const items: CatalogItem[] = [];
  const skus = new Set<string>();
  for (const category of CATEGORIES) {
    for (const [brand, rowVariants, lines] of CATALOG_TABLE[category]) {
      for (const [line, price, lineVariants] of lines) {
        // Rated per model line: a 256GB phone is not better reviewed than the 128GB one.
        const rating =
          Math.round(between(rngFor(`rating|${slugify(`${brand} ${line}`)}`), 3.5, 4.9) * 10) / 10;
        for (const [label, factor] of VARIANTS[lineVariants ?? rowVariants]) {
          const title = label === "" ? `${brand} ${line}` : `${brand} ${line}, ${label}`;
          const sku = slugify(title);
          // A duplicate would silently merge two products' offers; fail the build (and the tests) instead.
          if (skus.has(sku)) throw new Error(`duplicate catalog sku ${sku}`);
          skus.add(sku);
          items.push({ sku, title, brand, category, msrp: shopPrice(price * factor), rating });
        }
      }
    }
  }
  return items;
}
