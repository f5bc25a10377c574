import { LRUCache } from "lru-cache";
import { SearchAnswer } from "./search-answer.ts";
import { SearchCache } from "./search-cache.ts";
import type { SearchFilters } from "./search-params.ts";

/** What a search being served needs that depends only on the search: its cache key and its answer's echo. */
export interface RecentSearch {
  readonly key: string;
  /** `"query":…,"categories":…` as the answer carries them (SearchAnswer.echo). */
  readonly echo: string;
}

/** The fields of a NormalizedSearch (search-service.ts, which imports this) that the key and echo use. */
export interface SearchFields {
  query: string;
  categories: string[];
  limit: number;
  filters: SearchFilters;
  offset: number;
}

type Remembered = RecentSearch & Readonly<Omit<SearchFields, "query">> & { kept: boolean };

// The same searches come again and again (that is why there is a cache), so the hot ones are remembered
// and normalizing, hashing and serializing happen once per hot search. Found by the query and then
// compared field by field: cheaper than the JSON of the whole search the memo was looked up by before.
const MAX_QUERIES = 256;
// Searches of one query that differ in the rest (categories, limit, filters, page) each keep a place.
const PER_QUERY = 4;
const recent = new LRUCache<string, Remembered[]>({ max: MAX_QUERIES });

/**
 * The key and echo of `search`: the remembered ones, or new ones that are not kept until `keepSearch`
 * says the search is hot. A one-off query (most misses) then costs no memo entry, and cannot push a hot
 * search out of the memo.
 */
export function recentSearch(search: SearchFields): RecentSearch {
  // A read is `peek`: a memo need not be kept longer because it was used.
  const list = recent.peek(search.query);
  if (list !== undefined) {
    for (const remembered of list) if (sameSearch(remembered, search)) return remembered;
  }
  // Copies: the memo must not change when the caller's search does.
  const filters: SearchFilters = { ...search.filters };
  if (search.filters.sources) filters.sources = [...search.filters.sources];
  const made: Remembered = {
    key: SearchCache.key(search),
    echo: SearchAnswer.echo(search.query, search.categories),
    categories: [...search.categories],
    limit: search.limit,
    filters,
    offset: search.offset,
    kept: false,
  };
  return made;
}

/** Keeps what `recentSearch` gave for `query` (once the cache had an answer for it: it is asked again). */
export function keepSearch(query: string, given: RecentSearch): void {
  const made = given as Remembered;
  if (made.kept) return;
  made.kept = true;
  const list = recent.peek(query);
  if (list === undefined) recent.set(query, [made]);
  else if (!list.some((remembered) => sameSearch(remembered, made))) {
    // Another request of the same new search may have kept its own already.
    if (list.length >= PER_QUERY) list.shift();
    list.push(made);
  }
}

// Every field the key or the echo is made from (the query matched already); `page` is neither.
function sameSearch(a: Remembered, b: Omit<SearchFields, "query">): boolean {
  if (a.limit !== b.limit || a.offset !== b.offset || !sameStrings(a.categories, b.categories)) return false;
  const [f, g] = [a.filters, b.filters];
  return (
    f.sort === g.sort &&
    f.min_price === g.min_price &&
    f.max_price === g.max_price &&
    f.currency === g.currency &&
    (f.sources === g.sources ||
      (f.sources !== undefined && g.sources !== undefined && sameStrings(f.sources, g.sources)))
  );
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
