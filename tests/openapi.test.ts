import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CATEGORY_PATTERN, QUERY_MAX_LENGTH } from "../src/models/search.ts";
import { call, DEMO, get, json } from "./helpers/http.ts";
import { type Stack, startStack } from "./helpers/stack.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

type Operation = {
  security?: unknown[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { examples?: unknown[] } }> }>;
};

describe("OpenAPI document and /docs", () => {
  test("GET /search documents its query parameters with their types (the schema is checked uncoerced)", async () => {
    const { body } = await call(stack.app, get("/docs/json"));
    const parameters = (
      body as {
        paths: { "/search": { get: { parameters: { name: string; in: string; schema: unknown }[] } } };
      }
    ).paths["/search"].get.parameters;
    const byName = Object.fromEntries(
      parameters.filter((p) => p.in === "query").map((p) => [p.name, p.schema]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      "categories",
      "currency",
      "cursor",
      "limit",
      "max_price",
      "min_price",
      "query",
      "sort",
      "sources",
    ]);
    expect(byName.min_price).toMatchObject({ type: "number", minimum: 0 });
    expect(byName.sources).toMatchObject({ type: "array", minItems: 1 });
    expect(byName.sort).toMatchObject({
      type: "string",
      enum: ["relevance", "price_asc", "price_desc", "rating_desc"],
    });
    expect(byName.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 10000 });
    expect(byName.categories).toMatchObject({ type: "array" });
    expect(byName.query).toMatchObject({ type: "string" });
  });

  test("the search schemas say what the gateway enforces: the query's 200 and the category pattern", async () => {
    const { body } = await call(stack.app, get("/docs/json"));
    const spec = body as {
      paths: {
        "/search": {
          get: { parameters: { name: string; in: string; schema: Record<string, unknown> }[] };
          post: { requestBody: { content: { "application/json": { schema: Schema } } } };
        };
        "/profile": { get: { responses: Record<string, unknown> } };
      };
    };
    type Schema = { properties: Record<string, Record<string, unknown> & { items?: unknown }> };
    const search = spec.paths["/search"];
    const fromQuery = Object.fromEntries(search.get.parameters.map((p) => [p.name, p.schema]));
    const fromBody = search.post.requestBody.content["application/json"].schema.properties;
    for (const fields of [fromQuery, fromBody]) {
      expect(fields.query).toMatchObject({ type: "string", minLength: 1, maxLength: QUERY_MAX_LENGTH });
      expect(fields.categories?.items).toMatchObject({
        type: "string",
        pattern: CATEGORY_PATTERN,
        maxLength: 40,
      });
    }
    // The body limit is checked on every request, a GET's declared Content-Length included.
    expect(Object.keys(spec.paths["/profile"].get.responses)).toContain("413");
  });

  test("every route, its security, request bodies and problem responses", async () => {
    const { status, body } = await call(stack.app, get("/docs/json"));
    expect(status).toBe(200);
    const spec = body as {
      openapi: string;
      paths: Record<string, Record<string, Operation>>;
      components: Record<string, unknown>;
    };
    expect(spec.openapi).toStartWith("3.");
    // Issue 16: the /.well-known documents are API too (verifiers read them), no longer dropped for their dot.
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/.well-known/jwks.json",
      "/.well-known/oauth-authorization-server",
      "/healthz",
      "/login",
      "/logout",
      "/profile",
      "/readyz",
      "/revoke",
      "/search",
      "/search/stream",
      "/token",
    ]);
    // Issue 16 adds a description stating RFC 8725 practice and the password flow's refreshUrl.
    expect(spec.components.securitySchemes).toMatchObject({
      bearer: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: expect.stringContaining("RFC8725"),
      },
      oauth2: {
        type: "oauth2",
        description: expect.stringContaining("RFC8725"),
        flows: { password: { tokenUrl: "/login", refreshUrl: "/token", scopes: {} } },
      },
    });
    const login = spec.paths["/login"]?.post;
    expect(Object.keys(login?.requestBody?.content ?? {})).toEqual([
      "application/json",
      "application/x-www-form-urlencoded",
    ]);
    for (const [path, method] of [
      ["/profile", "get"],
      ["/search", "get"],
      ["/search", "post"],
      ["/search/stream", "get"],
    ] as const) {
      const operation = spec.paths[path]?.[method];
      expect(operation?.security).toEqual([{ bearer: [] }, { oauth2: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(["200", "401", "502", "503", "504"]),
      );
    }
    // The stream's answer is an event stream whose events are a oneOf of {event, data} objects.
    const stream = spec.paths["/search/stream"]?.get?.responses["200"]?.content ?? {};
    expect(Object.keys(stream)).toEqual(["text/event-stream"]);
    // /readyz's 503 is a status report, not a problem; every other error is problem+json with an example.
    expect(Object.keys(spec.paths["/readyz"]?.get?.responses["503"]?.content ?? {})).toEqual([
      "application/json",
    ]);
    // The OAuth endpoints' 400 is RFC 6749 §5.2 JSON (`error`, `error_description`), not a problem.
    for (const path of ["/token", "/revoke"]) {
      const oauth = spec.paths[path]?.post?.responses["400"]?.content ?? {};
      expect(Object.keys(oauth)).toEqual(["application/json"]);
    }
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const operation of Object.values(operations)) {
        for (const [code, response] of Object.entries(operation.responses)) {
          if (Number(code) < 400 || path === "/readyz") continue;
          if ((path === "/token" || path === "/revoke") && code === "400") continue;
          const problem = response.content?.["application/problem+json"];
          expect(problem, `problem+json for ${code}`).toBeDefined();
          expect(problem?.schema.examples?.length).toBeGreaterThan(0);
        }
      }
    }
  });

  test("the Swagger UI page loads only from the gateway itself", async () => {
    const { status, text } = await call(stack.app, get("/docs"));
    expect(status).toBe(200);
    expect(text).toContain('src="/docs/assets/swagger-ui-bundle.js"');
    expect(text).toContain('href="/docs/assets/swagger-ui.css"');
    expect(text.match(/(?:src|href)="https?:/g)).toBeNull();
    const asset = await stack.app.handle(get("/docs/assets/swagger-ui-bundle.js"));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toStartWith("text/javascript");
    expect((await call(stack.app, get("/docs/assets/nothing.js"))).status).toBe(404);
  });

  test("an asset name that is an Object.prototype member is a 404 too, not a 500", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const response = await stack.app.handle(get(`/docs/assets/${name}`));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(stack.logs.filter((line) => line.includes("unhandled error"))).toEqual([]);
  });
});

type Header = { schema: Record<string, unknown> };
type Doc = {
  servers: { url: string }[];
  components: { parameters: Record<string, { name: string; in: string }> };
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        parameters: { $ref?: string; name?: string }[];
        responses: Record<string, { headers?: Record<string, Header>; content?: Record<string, unknown> }>;
      }
    >
  >;
};

describe("the document says what the gateway really sends and reads", () => {
  const doc = async (app = stack.app) => (await call(app, get("/docs/json"))).body as Doc;

  test("each header on the responses that carry it, and the request headers as parameters", async () => {
    const { paths, components } = await doc();
    const operations = Object.values(paths).flatMap((methods) => Object.values(methods));
    for (const operation of operations) {
      expect(operation.parameters.map((p) => p.$ref)).toEqual(
        expect.arrayContaining([
          "#/components/parameters/X-Request-Id",
          "#/components/parameters/traceparent",
        ]),
      );
      for (const [status, response] of Object.entries(operation.responses)) {
        const headers = Object.keys(response.headers ?? {});
        expect(headers, `${operation.operationId} ${status}`).toContain("X-Request-Id");
        if (status === "401") expect(headers).toContain("WWW-Authenticate");
        if (status === "429") expect(headers).toContain("Retry-After");
      }
    }
    expect(components.parameters.traceparent).toMatchObject({ name: "traceparent", in: "header" });
    for (const method of ["get", "post"]) {
      const search = paths["/search"]?.[method]?.responses ?? {};
      expect(Object.keys(search["200"]?.headers ?? {})).toEqual(
        expect.arrayContaining(["RateLimit", "RateLimit-Policy", "X-Cache"]),
      );
      expect(Object.keys(search["429"]?.headers ?? {})).toEqual(
        expect.arrayContaining(["RateLimit", "RateLimit-Policy", "Retry-After"]),
      );
    }
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    // The names generated before they were written out, so clients generated from older documents keep them.
    expect(ids).toEqual(
      expect.arrayContaining(["getSearch", "postSearch", "postLogin", "postToken", "getProfile"]),
    );
  });

  test("and the headers it declares for a search are the ones a search answer carries", async () => {
    const login = await call(stack.app, json("/login", DEMO.premium));
    const token = (login.body as { access_token: string }).access_token;
    const response = await stack.app.handle(get("/search?query=phone", token));
    expect(response.status).toBe(200);
    const declared = Object.keys((await doc()).paths["/search"]?.get?.responses["200"]?.headers ?? {});
    for (const name of ["X-Request-Id", "RateLimit", "RateLimit-Policy", "X-Cache"]) {
      expect(declared).toContain(name);
      expect(response.headers.get(name), name).not.toBeNull();
    }
  });

  test("no TypeBox-only keyword in any schema; a property named like one stays", async () => {
    const leaks: string[] = [];
    let oauthErrorProperty = false;
    const walk = (value: unknown, at: string) => {
      if (value === null || typeof value !== "object") return;
      const node = value as Record<string, unknown>;
      // A schema (it has a `type`) with a string `error` is TypeBox's message option leaking out.
      if ("type" in node && typeof node.error === "string") leaks.push(at);
      const properties = node.properties as Record<string, unknown> | undefined;
      if (properties?.error && typeof properties.error === "object") oauthErrorProperty = true;
      for (const [key, child] of Object.entries(node)) walk(child, `${at}/${key}`);
    };
    walk(await doc(), "#");
    expect(leaks).toEqual([]);
    expect(oauthErrorProperty).toBe(true);
  });

  test("servers: relative without GATEWAY_PUBLIC_URL, the public URL with it", async () => {
    expect((await doc()).servers.map((s) => s.url)).toEqual(["/"]);
    const other = await startStack({ flags: { publicUrl: "https://gateway.example.com" } });
    try {
      expect((await doc(other.app)).servers.map((s) => s.url)).toEqual(["https://gateway.example.com"]);
    } finally {
      await other.close();
    }
  });
});
