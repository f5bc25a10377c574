import { describe, expect, test } from "bun:test";
import { keepSearch, recentSearch } from "../../src/services/recent-searches.ts";
import { SearchAnswer } from "../../src/services/search-answer.ts";
import { SearchCache } from "../../src/services/search-cache.ts";
import type { NormalizedSearch } from "../../src/services/search-service.ts";

const base: NormalizedSearch = {
  query: "recent-searches phone",
  categories: ["phones"],
  limit: 20,
  filters: { sort: "price_asc", min_price: 1, max_price: 9, currency: "EUR", sources: ["a", "b"] },
  page: 1,
  offset: 0,
};

// Each differs from `base` in one field the key or the echo is made from.
const variants: NormalizedSearch[] = [
  { ...base, categories: ["phones", "cases"] },
  { ...base, categories: ["cases"] },
  { ...base, categories: [] },
  { ...base, limit: 10 },
  { ...base, offset: 20 },
  { ...base, filters: { ...base.filters, sort: "price_desc" } },
  { ...base, filters: { ...base.filters, min_price: 2 } },
  { ...base, filters: { ...base.filters, max_price: 8 } },
  { ...base, filters: { ...base.filters, currency: "USD" } },
  { ...base, filters: { ...base.filters, sources: ["a"] } },
  { ...base, filters: { ...base.filters, sources: ["a", "c"] } },
  { ...base, filters: {} },
];

describe("recentSearch", () => {
  test("gives SearchCache.key and SearchAnswer.echo of the search, remembered or not", () => {
    for (const search of [base, ...variants, base, ...variants]) {
      const recent = recentSearch(search);
      expect(recent.key).toBe(SearchCache.key(search));
      expect(recent.echo).toBe(SearchAnswer.echo(search.query, search.categories));
    }
  });

  test("a search that differs in any field from a remembered one of the same query is not taken for it", () => {
    recentSearch(base);
    for (const search of variants) {
      recentSearch(base);
      expect(recentSearch(search).key).toBe(SearchCache.key(search));
      expect(recentSearch(search).key).not.toBe(recentSearch(base).key);
    }
  });

  test("changing the caller's search afterwards does not change what is remembered", () => {
    const search: NormalizedSearch = { ...base, query: "recent-searches mutated", categories: ["x"] };
    const before = recentSearch(search);
    keepSearch(search.query, before);
    search.categories.push("y");
    expect(recentSearch(search).key).toBe(SearchCache.key(search));
    expect(recentSearch({ ...search, categories: ["x"] })).toBe(before);
  });

  test("a search is remembered only once kept (the cache had it), and kept once", () => {
    const search: NormalizedSearch = { ...base, query: "recent-searches one-off" };
    const first = recentSearch(search);
    expect(recentSearch(search)).not.toBe(first);
    const other = recentSearch(search);
    keepSearch(search.query, first);
    expect(recentSearch(search)).toBe(first);
    // Another request's copy of the same search, kept later, neither replaces nor joins it.
    keepSearch(search.query, other);
    expect(recentSearch(search)).toBe(first);
    for (const limit of [1, 2, 3]) keepSearch(search.query, recentSearch({ ...search, limit }));
    expect(recentSearch(search)).toBe(first);
  });

  test("the echo given to SearchAnswer is the one it would make", () => {
    const fields = { request_id: "r", query: 'a "b"', categories: ["c"], cached: true };
    const echo = recentSearch({ ...base, query: fields.query, categories: fields.categories }).echo;
    expect(new SearchAnswer("{}", fields, echo).json).toBe(new SearchAnswer("{}", fields).json);
  });
});
