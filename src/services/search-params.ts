import type { FieldError } from "../core/errors.ts";
import { type AggregatorSearchRequest, SOURCE_NAME_PATTERN, type SortName } from "../models/search.ts";

/** The search's parameters beyond query, categories and limit, normalised: absent means "not asked". */
export interface SearchFilters {
  sort?: Exclude<SortName, "relevance">;
  min_price?: number;
  max_price?: number;
  currency?: string;
  sources?: string[];
}

export interface FilterInput {
  sort?: SortName | undefined;
  min_price?: number | undefined;
  max_price?: number | undefined;
  currency?: string | undefined;
  sources?: string[] | undefined;
}

/** Which page of a search: page 1 is offset 0; later ones come from a cursor. */
export interface PagePosition {
  page: number;
  offset: number;
}

const SOURCE_NAME = new RegExp(SOURCE_NAME_PATTERN);
// ISO 4217 as the runtime knows it (ICU's list), so "XYZ" is refused while every real code passes.
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/**
 * Checks what the schema cannot (min <= max, a currency that exists) and puts the parameters in one
 * canonical form, so that two spellings of the same search share a cache entry and a cursor: the
 * default sort is absent, currency upper-cased, sources de-duplicated and sorted, -0 is 0 (a JSON
 * number already has one spelling: 500 and 500.00 are the same number).
 */
export function normalizeFilters(input: FilterInput, errors: FieldError[]): SearchFilters {
  const filters: SearchFilters = {};
  if (input.sort !== undefined && input.sort !== "relevance") filters.sort = input.sort;
  if (input.min_price !== undefined) filters.min_price = input.min_price + 0;
  if (input.max_price !== undefined) filters.max_price = input.max_price + 0;
  if (
    filters.min_price !== undefined &&
    filters.max_price !== undefined &&
    filters.min_price > filters.max_price
  ) {
    errors.push({ field: "min_price", message: "must not be greater than max_price" });
  }
  if (input.currency !== undefined) {
    const currency = input.currency.toUpperCase();
    if (CURRENCIES.has(currency)) filters.currency = currency;
    else errors.push({ field: "currency", message: "must be an ISO 4217 currency code" });
  }
  // The routes' schemas check these too; the CLI calls the service without them.
  if (input.sources !== undefined) {
    const sources = [...new Set(input.sources)].sort();
    const bad = sources.find((name) => !SOURCE_NAME.test(name));
    if (sources.length === 0)
      errors.push({ field: "sources", message: "must name at least one marketplace" });
    else if (bad !== undefined)
      errors.push({ field: "sources", message: `"${bad.slice(0, 50)}" must match ${SOURCE_NAME_PATTERN}` });
    else filters.sources = sources;
  }
  return filters;
}

/** The parts that make two searches the same search, in a fixed order; JSON keeps them apart. */
export function canonicalSearch(search: {
  query: string;
  categories: string[];
  limit: number;
  filters?: SearchFilters | undefined;
}): unknown[] {
  const query = search.query.trim().toLowerCase().replace(/\s+/g, " ").normalize("NFC");
  const categories = [...new Set(search.categories)].sort();
  const f = search.filters ?? {};
  return [
    query,
    categories,
    search.limit,
    f.sort ?? null,
    f.min_price ?? null,
    f.max_price ?? null,
    f.currency ?? null,
    f.sources ?? null,
  ];
}

/**
 * The Aggregator request: only the contract's fields, the new ones only when asked, so an Aggregator
 * that predates them still serves a plain search.
 */
export function aggregatorRequest(
  requestId: string,
  search: { query: string; categories: string[]; limit: number; filters?: SearchFilters; offset?: number },
): AggregatorSearchRequest {
  const request: AggregatorSearchRequest = {
    request_id: requestId,
    query: search.query,
    categories: search.categories,
    limit: search.limit,
  };
  const f = search.filters;
  if (f?.sort !== undefined) request.sort = f.sort;
  if (f?.min_price !== undefined) request.min_price = f.min_price;
  if (f?.max_price !== undefined) request.max_price = f.max_price;
  if (f?.currency !== undefined) request.currency = f.currency;
  if (f?.sources !== undefined) request.sources = f.sources;
  if (search.offset) request.offset = search.offset;
  return request;
}

/** The request parameters an Aggregator may answer it does not support (docs/backends.md). */
export const AGGREGATOR_PARAMETERS: ReadonlySet<string> = new Set([
  "sort",
  "min_price",
  "max_price",
  "currency",
  "sources",
  "offset",
  "categories",
]);
