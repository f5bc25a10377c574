import { Kind, type SchemaOptions, type TUnsafe, Type, TypeRegistry } from "@sinclair/typebox";
import { codePointsWithin } from "./text.ts";

/**
 * The one length rule for a search query, on both sides of the Aggregator contract: 1 to 200 Unicode
 * code points after trimming and NFC. Code points are what a user sees as characters and what JSON
 * Schema's `maxLength` counts (RFC 8259 characters), so the published schemas mean it; TypeBox's own
 * `maxLength` counts UTF-16 units like `String.length`, which let the gateway pass a query of 101 emoji
 * that an Aggregator checking units refused (a 502).
 */
export const QUERY_MAX_LENGTH = 200;

/** The query as searched and as sent to the Aggregator. */
export function searchedQuery(raw: string): string {
  return raw.trim().normalize("NFC");
}

/** Whether a searched query (see `searchedQuery`) has an allowed length. */
export function queryLengthFits(query: string): boolean {
  return codePointsWithin(query, 1, QUERY_MAX_LENGTH);
}

/**
 * What the gateway's own schema takes before trimming, only to bound the work: the length rule is applied
 * after trimming, by the search service, so that an invalid search still costs a request token.
 */
const QUERY_INPUT_MAX_UNITS = 1000;

TypeRegistry.Set("QueryText", (_schema, value) => typeof value === "string" && queryLengthFits(value));
TypeRegistry.Set(
  "QueryInput",
  (_schema, value) => typeof value === "string" && value.length >= 1 && value.length <= QUERY_INPUT_MAX_UNITS,
);

/** The document shows both as `minLength: 1, maxLength: 200`, which JSON Schema counts in code points too. */
const bounded = (kind: string, options: SchemaOptions): TUnsafe<string> =>
  Type.Unsafe<string>({
    ...options,
    [Kind]: kind,
    type: "string",
    minLength: 1,
    maxLength: QUERY_MAX_LENGTH,
  });

/** A query as the Aggregator contract has it (already trimmed and NFC): checked by `queryLengthFits`. */
export const QueryText = (options: SchemaOptions = {}) => bounded("QueryText", options);

/** A query as a client sends it to the gateway: the search service checks the length after trimming. */
export const QueryInput = (options: SchemaOptions = {}) => bounded("QueryInput", options);
