import Ajv2020, { type ErrorObject } from "ajv/dist/2020.js";

/**
 * A JSON Schema 2020-12 validator (what OpenAPI 3.1 schemas are) for the contract tests. Ajv counts
 * `minLength`/`maxLength` in code points as JSON Schema says (TypeBox counts UTF-16 units), so a check
 * here means what a client's own validator would conclude. Not strict: the document carries OpenAPI's
 * and the gateway's annotations (`x-field`, `examples`), which are not assertions.
 */
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
const INT32 = 2 ** 31;
ajv.addFormat("int32", {
  type: "number",
  validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32,
});
ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
// RFC 3339 date-time, the subset JSON Schema's `date-time` names.
ajv.addFormat("date-time", {
  validate: (s: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s) &&
    !Number.isNaN(Date.parse(s)),
});

export type Validate = (value: unknown) => string[];

/** A compiled schema: the errors for a value, none when it is valid. */
export function compileSchema(schema: object): Validate {
  const check = ajv.compile(schema);
  return (value) =>
    check(value) ? [] : (check.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message}`);
}
