import { unwrapSchema } from "@elysiajs/openapi/openapi";
import type { Static, TObject } from "@sinclair/typebox";
import { InvalidInput } from "../../core/errors.ts";
import type { StandardFace } from "../../models/uncoerced-query.ts";

/**
 * A route that checks its own query string (GET /search: after authentication, in the handler, so that a
 * request is one step instead of four hooks) gives Elysia no query schema at run time: with one, Elysia
 * parses the query string and runs the check before any handler, a second parse and check of every
 * request. These keep what the schema gave besides: its type, for the handler and the Eden client, and
 * its parameters, in the OpenAPI document.
 */

/** The schema's type for Elysia's route types and the Eden client; nothing at run time. */
export function typeOnly<T extends TObject>(_schema: T): T {
  return undefined as unknown as T;
}

/**
 * The query parameters the OpenAPI plugin lists for a route's query schema, for the route's `detail`:
 * the schema through the plugin's own conversion (a union of literals becomes an `enum`), then one
 * parameter per property, as the plugin makes them.
 */
export function queryParameters(schema: TObject) {
  const converted = unwrapSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  const required = new Set(converted.required ?? []);
  return Object.entries(converted.properties ?? {}).map(([name, property]) => ({
    name,
    in: "query" as const,
    required: required.has(name),
    schema: property,
  }));
}

/**
 * `query` if it passes `schema`'s check, or the 422 that Elysia's own query validation led to before
 * (plugins/problems.ts): "The request query is not valid." with one error per field.
 */
export function checkedQuery<T extends TObject>(
  schema: T & StandardFace<Static<T>>,
  query: unknown,
): Static<T> {
  const checked = schema["~standard"].validate(query);
  if ("value" in checked) return checked.value;
  throw new InvalidInput(
    "The request query is not valid.",
    checked.issues.map((issue) => ({ field: issue.path.join(".") || "root", message: issue.message })),
  );
}
