import type { Static, TObject } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

interface Issue {
  message: string;
  path: string[];
}

/** The part of the Standard Schema interface (standardschema.dev) that Elysia reads. */
export interface StandardFace<T> {
  "~standard": {
    version: 1;
    vendor: string;
    validate(value: unknown): { value: T } | { issues: Issue[] };
  };
}

/**
 * A query-string schema that Elysia checks as it is, without its coercions. Elysia turns every array in a
 * query schema into a TypeBox transform (and numbers into t.Numeric), and a schema with any transform is
 * decoded through TypeBox's generic value walk on every request: ~12% of a cache hit's CPU. A schema with
 * a Standard Schema face (`~standard`) is validated by Elysia through that face alone, with no coercion;
 * here the face runs the TypeBox schema compiled once, and OpenAPI (which reads TypeBox's Kind first)
 * and the route's types still come from the TypeBox schema. The route turns strings into numbers and
 * lists itself, in a transform hook, before the check, from the query string as sent (`queryAsSent`).
 * Elysia's validation errors come from this
 * `validate`: the schema's own `error` text and the field's name (`x-field`, else the first path
 * segment) are what it reports.
 */
export function uncoercedQuery<T extends TObject>(schema: T): T & StandardFace<Static<T>> {
  const check = TypeCompiler.Compile(schema);
  const face: StandardFace<Static<T>>["~standard"] = {
    version: 1,
    vendor: "gateway",
    validate(value) {
      if (check.Check(value)) return { value };
      const issues: Issue[] = [];
      for (const error of check.Errors(value)) {
        const own = error.schema as { error?: unknown; "x-field"?: unknown };
        const field =
          typeof own["x-field"] === "string" ? own["x-field"] : error.path.split("/")[1] || "query";
        const message = typeof own.error === "string" ? own.error : error.message;
        // TypeBox reports a missing property twice (required, then its type): one issue per field and text.
        if (!issues.some((i) => i.path[0] === field && i.message === message))
          issues.push({ message, path: [field] });
        if (issues.length >= 10) break;
      }
      return { issues };
    },
  };
  return Object.assign(schema, { "~standard": face });
}

/**
 * The query string of `url` as sent: a key given once is a string, a repeated key a list, and only the
 * keys in `commaLists` are split at commas. Elysia's parser for Standard Schema queries splits every
 * value at commas (after decoding, so even `%2C`) and JSON-parses bracketed ones, which would turn
 * `query=iphone,13` into a list; the route reads the query string again with this instead.
 */
export function queryAsSent(url: string, commaLists: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const start = url.indexOf("?");
  if (start === -1) return out;
  const hash = url.indexOf("#", start);
  const query = url.slice(start + 1, hash === -1 ? undefined : hash);
  const pairs = formPairs(query) ?? new URLSearchParams(query);
  for (const [key, value] of pairs) {
    const values = commaLists.has(key) ? value.split(",") : [value];
    const current = out[key];
    if (current === undefined) out[key] = commaLists.has(key) ? values : value;
    else if (Array.isArray(current)) current.push(...values);
    else out[key] = [current, ...values];
  }
  return out;
}

const NOT_PRINTABLE_ASCII = /[^\x21-\x7e]/;

/**
 * The pairs URLSearchParams reads (application/x-www-form-urlencoded), for the usual query string:
 * printable ASCII, as a request URL is once serialized, with well-formed UTF-8 escapes. Building a
 * URLSearchParams and iterating it was a tenth of a cache hit's CPU. Anything else (a byte that is not
 * UTF-8, an escape that is not one) gets undefined, and URLSearchParams itself, whose replacement
 * characters decodeURIComponent would not give.
 */
function formPairs(query: string): [string, string][] | undefined {
  if (NOT_PRINTABLE_ASCII.test(query)) return undefined;
  const pairs: [string, string][] = [];
  try {
    for (const part of query.split("&")) {
      if (part === "") continue;
      const equals = part.indexOf("=");
      pairs.push(
        equals === -1
          ? [formDecode(part), ""]
          : [formDecode(part.slice(0, equals)), formDecode(part.slice(equals + 1))],
      );
    }
  } catch {
    return undefined;
  }
  return pairs;
}

// `+` is a space before percent-decoding, so an escaped `%2B` stays a plus.
function formDecode(text: string): string {
  const spaced = text.includes("+") ? text.replaceAll("+", " ") : text;
  return spaced.includes("%") ? decodeURIComponent(spaced) : spaced;
}
