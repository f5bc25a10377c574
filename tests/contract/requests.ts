import fc from "fast-check";
import { ORIGIN } from "../helpers/http.ts";
import type { Operation, Schema } from "./document.ts";

/** What a request is made of before it is encoded for its media type. */
export type Input = {
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body?: Record<string, unknown>;
  /** The media type to send the body as; one the operation does not list for an unknown-type case. */
  media?: string;
};

/** A value the schema accepts, from its examples where it has some. */
export function sample(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.examples?.length) return schema.examples[0];
  if (schema.enum?.length) return schema.enum[0];
  const first = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (first) return sample(first);
  switch (schema.type) {
    case "string":
      return "a".repeat(Math.max(schema.minLength ?? 1, 1));
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return Object.fromEntries(
        (schema.required ?? []).map((name) => [name, sample(schema.properties?.[name] ?? {})]),
      );
    default:
      return null;
  }
}

/** Random values the schema accepts, lengths in code points as JSON Schema counts them. */
export function arbitrary(schema: Schema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices?.length) return fc.oneof(...choices.map(arbitrary));
  switch (schema.type) {
    case "string": {
      const minLength = schema.minLength ?? 0;
      const maxLength = schema.maxLength ?? 1000;
      if (schema.pattern) {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => [...s].length >= minLength && [...s].length <= maxLength);
      }
      return fc.string({ unit: "binary", minLength, maxLength });
    }
    case "integer":
      return fc.integer({ min: schema.minimum ?? -(2 ** 31), max: schema.maximum ?? 2 ** 31 - 1 });
    case "number":
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.array(arbitrary(schema.items ?? {}), { maxLength: Math.min(schema.maxItems ?? 10, 10) });
    case "object": {
      const properties = schema.properties ?? {};
      const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, arbitrary(s)]));
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.constant(null);
  }
}

/** A value of another JSON type than the schema's. */
function wrongType(schema: Schema): unknown {
  return schema.type === "string" ? 12345 : schema.type === "boolean" ? "maybe" : "not-a-number";
}

/**
 * Invalid variants of a valid input, one rule broken each: a required field missing, a field of the
 * wrong type, a string one code point over its `maxLength`, an integer past a bound, a value outside
 * its enum or const, a body in a media type the operation does not take.
 */
export function invalidInputs(op: Operation, valid: Input): { why: string; input: Input }[] {
  const cases: { why: string; input: Input }[] = [];
  const fields: { where: "body" | "query"; schema: Schema; required: string[] }[] = [];
  const bodySchema = valid.media ? op.body?.content[valid.media]?.schema : undefined;
  if (bodySchema?.properties) {
    fields.push({ where: "body", schema: bodySchema, required: bodySchema.required ?? [] });
  }
  const query = op.parameters.filter((p) => p.in === "query");
  if (query.length > 0) {
    fields.push({
      where: "query",
      schema: { type: "object", properties: Object.fromEntries(query.map((p) => [p.name, p.schema])) },
      required: query.filter((p) => p.required).map((p) => p.name),
    });
  }
  const changed = (where: "body" | "query", name: string, value: unknown): Input => {
    const next = { ...(valid[where] ?? {}) };
    if (value === undefined) delete next[name];
    else next[name] = value;
    return { ...valid, [where]: next };
  };
  for (const { where, schema, required } of fields) {
    for (const name of required)
      cases.push({ why: `${where}.${name} missing`, input: changed(where, name, undefined) });
    for (const [name, field] of Object.entries(schema.properties ?? {})) {
      // A query string has only strings: a wrong type there is a string that does not parse.
      if (where === "body" || field.type === "integer" || field.type === "boolean") {
        cases.push({
          why: `${where}.${name} of the wrong type`,
          input: changed(where, name, wrongType(field)),
        });
      }
      if (field.maxLength !== undefined) {
        const long = "é".repeat(field.maxLength + 1);
        cases.push({ why: `${where}.${name} over maxLength`, input: changed(where, name, long) });
      }
      if (field.maximum !== undefined) {
        cases.push({ why: `${where}.${name} over maximum`, input: changed(where, name, field.maximum + 1) });
      }
      if (field.minimum !== undefined) {
        cases.push({ why: `${where}.${name} under minimum`, input: changed(where, name, field.minimum - 1) });
      }
      if (field.enum !== undefined || field.const !== undefined) {
        cases.push({
          why: `${where}.${name} outside its enum`,
          input: changed(where, name, "not-one-of-them"),
        });
      }
      const items = field.items;
      if (items?.maxLength !== undefined) {
        const long = ["é".repeat(items.maxLength + 1)];
        cases.push({ why: `${where}.${name}[] over maxLength`, input: changed(where, name, long) });
      }
      if (field.maxItems !== undefined && items) {
        const many = Array.from({ length: field.maxItems + 1 }, () => sample(items));
        cases.push({ why: `${where}.${name} over maxItems`, input: changed(where, name, many) });
      }
    }
  }
  if (op.body) cases.push({ why: "an unknown content type", input: { ...valid, media: "text/plain" } });
  return cases;
}

/** The input as an HTTP request: query values repeated for lists, the body in its media type. */
export function toRequest(op: Operation, input: Input): Request {
  const url = new URL(ORIGIN + op.path);
  for (const [name, value] of Object.entries(input.query)) {
    for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
  }
  const headers = new Headers(input.headers);
  let body: string | undefined;
  if (input.body !== undefined && input.media !== undefined) {
    headers.set("content-type", input.media);
    body =
      input.media === "application/x-www-form-urlencoded"
        ? new URLSearchParams(
            Object.entries(input.body).map(([k, v]): [string, string] => [k, String(v)]),
          ).toString()
        : JSON.stringify(input.body);
  }
  return new Request(url.href, { method: op.method, headers, ...(body !== undefined ? { body } : {}) });
}
