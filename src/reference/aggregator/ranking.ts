import { CATEGORY_TERMS, type CatalogCategory } from "./catalog-data.ts";

/** What the ranker needs to know about one offer, independent of which marketplace made it. */
export interface Rankable {
  id: string;
  brand: string;
  category: CatalogCategory;
  /** Lower-case title tokens (the brand is part of the title). */
  tokens: readonly string[];
  /** Price converted to USD, so offers in different currencies tie-break fairly. */
  priceUsd: number;
}

// Words that carry no meaning in a product search; dropped unless the query is nothing else.
const STOP_WORDS = new Set(["a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "new"]);

const WEIGHT = { exact: 3, prefix: 2, brand: 1, category: 1.5, allTerms: 4, coverage: 1 } as const;

/** Lower-case alphanumeric runs, diacritics folded, so "Café" and "cafe" meet. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

/** The distinct query terms, in order, without stop words (unless that would leave none). */
export function queryTerms(query: string): string[] {
  const tokens = [...new Set(tokenize(query))];
  const meaningful = tokens.filter((token) => !STOP_WORDS.has(token));
  return meaningful.length > 0 ? meaningful : tokens;
}

/**
 * Relevance of one offer to the query terms; 0 means "not a match". Per term: an exact title token
 * beats a prefix of one ("mac" → "macbook"); naming the brand or the category adds to that. Offers that
 * match every term get a bonus, and a small coverage share favours titles with fewer unmatched words,
 * so "iphone 15" puts the plain iPhone 15 ahead of the 15 Pro Max.
 */
export function score(terms: readonly string[], item: Rankable): number {
  if (terms.length === 0) return 0;
  let total = 0;
  let matched = 0;
  for (const term of terms) {
    let termScore = 0;
    if (item.tokens.includes(term)) termScore += WEIGHT.exact;
    else if (term.length >= 2 && item.tokens.some((token) => token.startsWith(term)))
      termScore += WEIGHT.prefix;
    if (term === item.brand.toLowerCase()) termScore += WEIGHT.brand;
    if (term === item.category || CATEGORY_TERMS[item.category].includes(term)) termScore += WEIGHT.category;
    if (termScore > 0) matched++;
    total += termScore;
  }
  if (matched === 0) return 0;
  if (matched === terms.length) total += WEIGHT.allTerms;
  return total + (WEIGHT.coverage * matched) / Math.max(item.tokens.length, 1);
}

/** Scores, drops non-matches, and orders best first; ties go to the cheaper offer, then the id. */
export function rank<T extends Rankable>(query: string, items: readonly T[]): T[] {
  const terms = queryTerms(query);
  return items
    .map((item) => ({ item, score: score(terms, item) }))
    .filter((entry) => entry.score > 0)
    .sort(
      (a, b) =>
        b.score - a.score ||
        a.item.priceUsd - b.item.priceUsd ||
        (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
    )
    .map((entry) => entry.item);
}

/** The cheap pre-filter a marketplace applies before the aggregator ranks: does any term hit at all? */
export function matchesAny(terms: readonly string[], item: Rankable): boolean {
  return terms.some((term) => score([term], item) > 0);
}
