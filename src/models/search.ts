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

export const SearchBody = t.Object({
  query: queryField,
  categories: t.Optional(categoriesField),
  limit: t.Optional(Type.Integer({ minimum: 1, maximum: 10000, error: LIMIT_ERROR })),
});
export type SearchBody = Static<typeof SearchBody>;

/**
 * Query string of `GET /search`: categories may be comma-separated or repeated, a query is one string.
 * Checked without Elysia's coercions (see uncoerced-query.ts); `readSearchQuery` reads the query string
 * as sent and turns the strings into a number and a list first.
 */
export const SearchQuery = uncoercedQuery(
  Type.Object({
    query: queryField,
    categories: Type.Optional(categoriesField),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10000, error: LIMIT_ERROR, "x-field": "limit" }),
    ),
  }),
);

const DIGITS = /^[0-9]{1,9}$/;
const COMMA_LISTS: ReadonlySet<string> = new Set(["categories"]);

/** A decimal `limit` becomes a number and a single `categories` a list; anything else is left to fail. */
export function coerceSearchQuery(query: Record<string, unknown>): void {
  if (typeof query.limit === "string" && DIGITS.test(query.limit)) query.limit = Number(query.limit);
  if (typeof query.categories === "string") query.categories = [query.categories];
}

/**
 * Replaces what Elysia parsed of `GET /search`'s query string with the string as sent (only `categories`
 * is comma-separated: `query=iphone,13` is the one query "iphone,13"), then coerces it.
 */
export function readSearchQuery(query: Record<string, unknown>, url: string): void {
  for (const key of Object.keys(query)) delete query[key];
  Object.assign(query, queryAsSent(url, COMMA_LISTS));
  coerceSearchQuery(query);
}

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
});
export type SearchResponse = Static<typeof SearchResponse>;

/** Aggregator contract (docs/backends.md). */
export const AggregatorSearchRequest = t.Object({
  request_id: t.String({ minLength: 1, maxLength: REQUEST_ID_MAX_LENGTH }),
  query: QueryText({ description: `Trimmed and NFC already; 1 to ${QUERY_MAX_LENGTH} Unicode code points` }),
  categories: t.Array(Category, { maxItems: CATEGORIES_MAX_ITEMS }),
  limit: Type.Integer({ minimum: 1, maximum: AGGREGATOR_LIMIT_MAX }),
});
export type AggregatorSearchRequest = Static<typeof AggregatorSearchRequest>;

export const AggregatorSearchResponse = t.Object({
  request_id: t.String(),
  results: t.Array(Product, { maxItems: RESULTS_MAX_ITEMS }),
  sources: t.Optional(t.Array(Source, { maxItems: SOURCES_MAX_ITEMS })),
});
export type AggregatorSearchResponse = Static<typeof AggregatorSearchResponse>;
