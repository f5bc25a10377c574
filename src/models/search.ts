import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";
import { QUERY_MAX_LENGTH, QueryInput, QueryText } from "./query-text.ts";
import { Text } from "./text.ts";
import { queryAsSent, uncoercedQuery } from "./uncoerced-query.ts";

export { QUERY_MAX_LENGTH };
/** The Aggregator's `request_id` bound; the gateway keeps a client's id only if it fits. */
export const REQUEST_ID_MAX_LENGTH = 128;
export const CATEGORY_MAX_LENGTH = 40;
export const CATEGORY_PATTERN = `^[a-z0-9-]{1,${CATEGORY_MAX_LENGTH}}$`;

/** The Aggregator contract's list bounds; the gateway's answer passes its lists on, so it has them too. */
export const CATEGORIES_MAX_ITEMS = 100;
export const RESULTS_MAX_ITEMS = 1000;
export const SOURCES_MAX_ITEMS = 100;
/** The Aggregator's `limit` bound: a plan's `maxResults` cannot exceed it, so neither can the effective limit. */
export const AGGREGATOR_LIMIT_MAX = 1000;
/** Deepest offset a cursor may carry: the most pages any plan may allow times the largest page. */
export const OFFSET_MAX = 1_000_000;
/** A cursor's page number is 16 bits. */
export const PAGE_MAX = 65_535;

const HTTP_URL = "^https?://[^\\s]+$";

export const Category = t.String({
  pattern: CATEGORY_PATTERN,
  maxLength: CATEGORY_MAX_LENGTH,
  examples: ["phones"],
});

/** Strings are `Text`: an Aggregator may send any Unicode, bounded in code points as documented. */
export const Product = t.Object({
  id: Text({ minLength: 1, maxLength: 200 }),
  title: Text({ minLength: 1, maxLength: 500 }),
  price: t.Number({ minimum: 0 }),
  currency: t.String({ pattern: "^[A-Z]{3}$", maxLength: 3, description: "ISO 4217 code" }),
  // http(s) only, checked by a plain pattern: a generic URI would admit javascript: links from a backend.
  url: Text({ pattern: HTTP_URL, maxLength: 2048 }),
  source: Text({ minLength: 1, maxLength: 100, description: "Marketplace that lists the offer" }),
  image_url: t.Optional(Text({ pattern: HTTP_URL, maxLength: 2048 })),
  rating: t.Optional(t.Number({ minimum: 0, maximum: 5 })),
});
export type Product = Static<typeof Product>;

export const Source = t.Object({
  name: Text({ minLength: 1, maxLength: 100 }),
  ok: t.Boolean(),
  took_ms: t.Number({ minimum: 0 }),
});
export type Source = Static<typeof Source>;

/** Body of `POST /search`; the schemas hold the bounds `normalizeSearch` enforces, from the same constants. */
const queryField = QueryInput({
  examples: ["iphone"],
  description: `What to look for: 1 to ${QUERY_MAX_LENGTH} characters (Unicode code points) after trimming, no control characters`,
  error: `must be a string of 1 to ${QUERY_MAX_LENGTH} characters after trimming`,
  "x-field": "query",
});
const categoriesField = t.Array(
  t.String({
    pattern: CATEGORY_PATTERN,
    maxLength: CATEGORY_MAX_LENGTH,
    "x-field": "categories",
    error: `must be category names matching ${CATEGORY_PATTERN}`,
  }),
  {
    maxItems: 100,
    description: `Category names (${CATEGORY_PATTERN}); the plan caps how many`,
    error: "must be a list of at most 100 category names",
    "x-field": "categories",
  },
);
const LIMIT_ERROR = "must be an integer from 1 to 10000 (the plan's maximum applies)";

/** Orders the Aggregator can sort by; `relevance` is the default and what a search without `sort` gets. */
export const SORTS = ["relevance", "price_asc", "price_desc", "rating_desc"] as const;
export type SortName = (typeof SORTS)[number];
export const SOURCE_NAME_MAX_LENGTH = 40;
export const SOURCE_NAME_PATTERN = `^[a-z0-9-]{1,${SOURCE_NAME_MAX_LENGTH}}$`;
/** Large enough for any price in any currency (a yen or a rupiah included), small enough to stay exact. */
export const PRICE_MAX = 1_000_000_000;
export const CURSOR_MAX_LENGTH = 200;

const PRICE_ERROR = `must be a decimal number from 0 to ${PRICE_MAX}`;
const priceField = (name: string) =>
  Type.Number({
    minimum: 0,
    maximum: PRICE_MAX,
    error: PRICE_ERROR,
    "x-field": name,
    description: "In `currency` when given, else in USD; inclusive",
  });
const sortField = Type.Union(
  SORTS.map((sort) => Type.Literal(sort)),
  {
    error: `must be one of ${SORTS.join(", ")}`,
    "x-field": "sort",
    description: "Result order; ties are broken by offer id, so pages never repeat or skip an offer",
  },
);
const currencyField = Type.String({
  pattern: "^[A-Za-z]{3}$",
  maxLength: 3,
  error: "must be a three-letter ISO 4217 currency code",
  "x-field": "currency",
  description: "ISO 4217 code; offers in other currencies are converted by the Aggregator",
  examples: ["EUR"],
});
const sourcesField = Type.Array(
  Type.String({
    pattern: SOURCE_NAME_PATTERN,
    maxLength: SOURCE_NAME_MAX_LENGTH,
    "x-field": "sources",
    error: `must be marketplace names matching ${SOURCE_NAME_PATTERN}`,
  }),
  {
    minItems: 1,
    maxItems: SOURCES_MAX_ITEMS,
    description: `Only these marketplaces (names matching ${SOURCE_NAME_PATTERN}); absent = all`,
    error: `must be a list of 1 to ${SOURCES_MAX_ITEMS} marketplace names`,
    "x-field": "sources",
  },
);
const cursorField = Type.String({
  minLength: 1,
  maxLength: CURSOR_MAX_LENGTH,
  pattern: "^[A-Za-z0-9_-]+$",
  error: "must be a `next_cursor` from an earlier answer",
  "x-field": "cursor",
  description: "The previous page's `next_cursor`; the other parameters must be the same as then",
});

/** The parameters of a search beyond the query, shared by GET and POST (and the stream route). */
const searchParameters = {
  categories: Type.Optional(categoriesField),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, error: LIMIT_ERROR, "x-field": "limit" })),
  sort: Type.Optional(sortField),
  min_price: Type.Optional(priceField("min_price")),
  max_price: Type.Optional(priceField("max_price")),
  currency: Type.Optional(currencyField),
  sources: Type.Optional(sourcesField),
  cursor: Type.Optional(cursorField),
};

export const SearchBody = t.Object({ query: queryField, ...searchParameters });
export type SearchBody = Static<typeof SearchBody>;

/**
 * Query string of `GET /search`: categories may be comma-separated or repeated, a query is one string.
 * Checked without Elysia's coercions (see uncoerced-query.ts); `readSearchQuery` reads the query string
 * as sent and turns the strings into a number and a list first.
 */
export const SearchQuery = uncoercedQuery(Type.Object({ query: queryField, ...searchParameters }));

const DIGITS = /^[0-9]{1,9}$/;
// A sign is let through so that "-5" fails as a number below 0, which says more than "not a number".
const DECIMAL = /^-?[0-9]{1,12}(?:\.[0-9]{1,12})?$/;
const COMMA_LISTS: ReadonlySet<string> = new Set(["categories", "sources"]);

/**
 * A decimal `limit` or price becomes a number and a single `categories` or `sources` a list; anything
 * else is left to fail the schema, which names the field.
 */
export function coerceSearchQuery(query: Record<string, unknown>): void {
  if (typeof query.limit === "string" && DIGITS.test(query.limit)) query.limit = Number(query.limit);
  for (const key of ["min_price", "max_price"]) {
    const value = query[key];
    if (typeof value === "string" && DECIMAL.test(value)) query[key] = Number(value);
  }
  if (typeof query.categories === "string") query.categories = [query.categories];
  if (typeof query.sources === "string") query.sources = [query.sources];
}

/**
 * What stands for Elysia's parse of `GET /search`'s query string (the route's transform puts it in
 * the context's place): the string as sent (only `categories` is comma-separated: `query=iphone,13` is
 * the one query "iphone,13"), coerced. A new object rather than Elysia's emptied: deleting every key
 * of an object leaves it slower to fill and to read.
 */
export function readSearchQuery(url: string): Record<string, unknown> {
  const query = queryAsSent(url, COMMA_LISTS);
  coerceSearchQuery(query);
  return query;
}

// A pattern, not `format: "date"`: the Aggregator contract's reader compiles patterns and refuses formats,
// so what it accepts never depends on a format registry.
export const RateDate = t.String({
  pattern: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  maxLength: 10,
  description:
    "Date (RFC 3339 full-date) of the currency rate table the Aggregator converted with; only when it converted",
});

/** What the gateway answers: the Aggregator's answer within the Aggregator contract's bounds. */
export const SearchResponse = t.Object({
  request_id: t.String({ minLength: 1, maxLength: REQUEST_ID_MAX_LENGTH }),
  query: QueryText({ description: "The query as searched (trimmed)" }),
  categories: t.Array(Category, { maxItems: CATEGORIES_MAX_ITEMS }),
  limit: Type.Integer({
    minimum: 1,
    maximum: AGGREGATOR_LIMIT_MAX,
    description: "Effective limit after the plan's clamp",
  }),
  results: t.Array(Product, { maxItems: RESULTS_MAX_ITEMS }),
  sources: t.Optional(t.Array(Source, { maxItems: SOURCES_MAX_ITEMS })),
  cached: t.Boolean(),
  page: Type.Integer({
    minimum: 1,
    maximum: PAGE_MAX,
    description: "Which page this is; 1 without a cursor",
  }),
  next_cursor: t.Union([t.String({ maxLength: CURSOR_MAX_LENGTH }), t.Null()], {
    description: "Pass as `cursor` (with the same parameters) for the next page; null on the last page",
  }),
  rate_date: t.Optional(RateDate),
});
export type SearchResponse = Static<typeof SearchResponse>;

/** Aggregator contract (docs/backends.md). */
export const AggregatorSearchRequest = t.Object({
  request_id: t.String({ minLength: 1, maxLength: REQUEST_ID_MAX_LENGTH }),
  query: QueryText({ description: `Trimmed and NFC already; 1 to ${QUERY_MAX_LENGTH} Unicode code points` }),
  categories: t.Array(Category, { maxItems: CATEGORIES_MAX_ITEMS }),
  limit: Type.Integer({ minimum: 1, maximum: AGGREGATOR_LIMIT_MAX }),
  // Optional, so that an Aggregator that predates them still serves a plain search.
  sort: t.Optional(t.Union(SORTS.map((sort) => t.Literal(sort)))),
  min_price: t.Optional(t.Number({ minimum: 0, maximum: PRICE_MAX })),
  max_price: t.Optional(t.Number({ minimum: 0, maximum: PRICE_MAX })),
  currency: t.Optional(t.String({ pattern: "^[A-Z]{3}$", maxLength: 3 })),
  sources: t.Optional(
    t.Array(t.String({ pattern: SOURCE_NAME_PATTERN, maxLength: SOURCE_NAME_MAX_LENGTH }), {
      minItems: 1,
      maxItems: SOURCES_MAX_ITEMS,
    }),
  ),
  offset: t.Optional(Type.Integer({ minimum: 0, maximum: OFFSET_MAX })),
});
export type AggregatorSearchRequest = Static<typeof AggregatorSearchRequest>;

export const AggregatorSearchResponse = t.Object({
  request_id: t.String(),
  results: t.Array(Product, { maxItems: RESULTS_MAX_ITEMS }),
  sources: t.Optional(t.Array(Source, { maxItems: SOURCES_MAX_ITEMS })),
  has_more: t.Optional(t.Boolean()),
  total: t.Optional(Type.Integer({ minimum: 0 })),
  rate_date: t.Optional(RateDate),
});
export type AggregatorSearchResponse = Static<typeof AggregatorSearchResponse>;
