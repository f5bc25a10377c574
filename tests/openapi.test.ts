import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, get } from "./helpers/http.ts";
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
    expect(Object.keys(byName).sort()).toEqual(["categories", "limit", "query"]);
    expect(byName.limit).toMatchObject({ type: "integer", minimum: 1, maximum: 10000 });
    expect(byName.categories).toMatchObject({ type: "array" });
    expect(byName.query).toMatchObject({ type: "string" });
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
    expect(Object.keys(spec.paths).sort()).toEqual([
      "/healthz",
      "/login",
      "/logout",
      "/profile",
      "/readyz",
      "/revoke",
      "/search",
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
    ] as const) {
      const operation = spec.paths[path]?.[method];
      expect(operation?.security).toEqual([{ bearer: [] }, { oauth2: [] }]);
      expect(Object.keys(operation?.responses ?? {})).toEqual(
        expect.arrayContaining(["200", "401", "502", "503", "504"]),
      );
    }
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
