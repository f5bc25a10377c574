import { REQUEST_ID_MAX_LENGTH } from "../models/search.ts";

/**
 * The one pass over the generated document that makes it standard OpenAPI 3.1 as client tools read it
 * (Redocly, Spectral, code generators). The generator copies TypeBox options verbatim, so keywords the
 * gateway uses for itself end up in the schemas; they are removed here, not from the schemas that need them.
 */

type Schema = Record<string, unknown>;
type MediaType = { schema?: Schema };
type Response = {
  description?: string;
  content?: Record<string, unknown>;
  headers?: Record<string, { schema?: Schema }>;
};
type Operation = {
  parameters?: (Schema & { schema?: Schema & { anyOf?: Schema[] } })[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, Response>;
};
type Document = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, unknown> };
  servers?: { url: string; description?: string; "x-internal"?: boolean }[];
};

/** Not JSON Schema, not OpenAPI: TypeBox's `error` is the message problems.ts gives a failed field. */
const NON_STANDARD_KEYWORDS = ["error"];
// Where a schema holds subschemas by name (a property may well be called `error`) or directly.
const NAMED_SUBSCHEMAS = ["properties", "patternProperties", "$defs", "dependentSchemas"];
const SUBSCHEMAS = [
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
];
const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"];

const INT32_MAX = 2 ** 31 - 1;

function standardSchema(schema: unknown): void {
  if (schema === null || typeof schema !== "object") return;
  const s = schema as Schema;
  for (const keyword of NON_STANDARD_KEYWORDS) delete s[keyword];
  // OAS 3.1 §4.2's data type formats, read from the bounds the schema already has: a generator then
  // picks a 32-bit type where every allowed value fits one.
  const types = Array.isArray(s.type) ? s.type : [s.type];
  if (types.includes("integer") && s.format === undefined) {
    const fits = (n: unknown) => typeof n === "number" && Math.abs(n) <= INT32_MAX;
    s.format = fits(s.maximum) && fits(s.minimum) ? "int32" : "int64";
  }
  for (const key of NAMED_SUBSCHEMAS)
    for (const sub of Object.values((s[key] as Record<string, unknown> | undefined) ?? {}))
      standardSchema(sub);
  for (const key of SUBSCHEMAS) standardSchema(s[key]);
  for (const key of SUBSCHEMA_LISTS)
    for (const sub of (s[key] as unknown[] | undefined) ?? []) standardSchema(sub);
}

/** The generator labels every response application/json; our errors are problem+json. */
function labelProblems(responses: Record<string, Response>) {
  for (const [status, response] of Object.entries(responses)) {
    const json = response.content?.["application/json"] as
      | { schema?: { properties?: Record<string, unknown> } }
      | undefined;
    const isProblem =
      json?.schema?.properties?.title !== undefined && json.schema.properties.detail !== undefined;
    if (Number(status) >= 400 && isProblem && response.content)
      response.content = { "application/problem+json": json };
  }
}

/**
 * A body whose schema says `x-media-type` (the event stream of /search/stream) is relabelled from the
 * generator's application/json to that media type; the marker itself is the gateway's, not OpenAPI's.
 */
function labelMediaTypes(responses: Record<string, Response>) {
  for (const response of Object.values(responses)) {
    const json = response.content?.["application/json"] as MediaType | undefined;
    const type = json?.schema?.["x-media-type"];
    if (typeof type !== "string" || !response.content || !json?.schema) continue;
    delete json.schema["x-media-type"];
    response.content = { [type]: json };
  }
}

/** A `t.Void()` answer comes out as `content: {type: "void"}`, which is no media type map: no body. */
function bodilessResponses(responses: Record<string, Response>) {
  for (const response of Object.values(responses))
    if (typeof response.content?.type === "string") delete response.content;
}

/**
 * Elysia documents a numeric query parameter as "a numeric string (default 0) or a number"; Swagger UI
 * then pre-fills 0, which is out of range for `limit`. The number branch alone says what we accept.
 */
function numericParameters(operation: Operation) {
  for (const parameter of operation.parameters ?? []) {
    const branches = parameter.schema?.anyOf ?? [];
    const number = branches.find((b) => b.type === "number" || b.type === "integer");
    const coerced = branches.some(
      (b) => b.type === "string" && (b.format === "numeric" || b.format === "integer"),
    );
    if (branches.length === 2 && number && coerced) parameter.schema = number;
  }
}

/** The request headers every operation reads (request-context.ts): documented once, referenced everywhere. */
const REQUEST_HEADERS = {
  "X-Request-Id": {
    name: "X-Request-Id",
    in: "header",
    required: false,
    description:
      "Kept as the request id (logs, backends, the `X-Request-Id` answer) when it matches the pattern; anything else is replaced, never refused",
    schema: {
      type: "string",
      pattern: `^[A-Za-z0-9._-]{1,${REQUEST_ID_MAX_LENGTH}}$`,
      maxLength: REQUEST_ID_MAX_LENGTH,
    },
  },
  traceparent: {
    name: "traceparent",
    in: "header",
    required: false,
    description:
      "W3C Trace Context: a valid one is joined (the backends get this trace), anything else starts a new trace, never refused",
    schema: {
      type: "string",
      pattern: "^[0-9A-Fa-f]{2}-[0-9A-Fa-f]{32}-[0-9A-Fa-f]{16}-[0-9A-Fa-f]{2}$",
      maxLength: 55,
    },
  },
};

/** Where the document says the API is: the public URL when configured, else relative to the document. */
export function serversFor(publicUrl: string | undefined) {
  // OAS 3.1 §4.8.5: a relative server URL is resolved against where the document was fetched from,
  // which is the listener the client reached (docs/decisions.md).
  return publicUrl === undefined
    ? [
        {
          url: "/",
          description: "The gateway this document was fetched from (local, staging or production alike)",
          "x-internal": false,
        },
      ]
    : [
        {
          url: publicUrl,
          description: "This gateway in production (GATEWAY_PUBLIC_URL)",
          "x-internal": false,
        },
      ];
}

export function standardDocument<D>(document: D, publicUrl: string | undefined): D {
  const doc = document as Document;
  doc.servers = serversFor(publicUrl);
  doc.components ??= {};
  doc.components.parameters = { ...doc.components.parameters, ...REQUEST_HEADERS };
  for (const schema of Object.values(doc.components.schemas ?? {})) standardSchema(schema);
  for (const operations of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      numericParameters(operation);
      for (const parameter of operation.parameters ?? []) standardSchema(parameter.schema);
      operation.parameters = [
        ...(operation.parameters ?? []),
        ...Object.keys(REQUEST_HEADERS).map((name) => ({ $ref: `#/components/parameters/${name}` })),
      ];
      for (const media of Object.values(operation.requestBody?.content ?? {})) standardSchema(media.schema);
      const responses = operation.responses ?? {};
      bodilessResponses(responses);
      labelProblems(responses);
      labelMediaTypes(responses);
      for (const response of Object.values(responses)) {
        for (const media of Object.values(response.content ?? {}))
          standardSchema((media as MediaType).schema);
        for (const header of Object.values(response.headers ?? {})) standardSchema(header.schema);
      }
    }
  }
  return document;
}
