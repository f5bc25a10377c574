import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import favicon from "swagger-ui-dist/favicon-32x32.png" with { type: "file" };
import css from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import bundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { NotFound } from "../../core/errors.ts";

const ASSET_PREFIX = "/docs/assets/";

// Embedded in the binary, so /docs works with no network: nothing is fetched from a CDN. A Map, because
// a plain object would answer `__proto__`, `constructor` and `toString` with what it inherits.
const assets = new Map<string, { path: string; type: string }>([
  ["swagger-ui-bundle.js", { path: bundle, type: "text/javascript; charset=utf-8" }],
  ["swagger-ui.css", { path: css, type: "text/css; charset=utf-8" }],
  ["favicon-32x32.png", { path: favicon, type: "image/png" }],
]);

type Operation = {
  parameters?: { schema?: Record<string, unknown> & { anyOf?: Record<string, unknown>[] } }[];
  responses?: Record<
    string,
    { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }
  >;
};

/** The generator labels every response application/json; our errors are problem+json. */
export function labelProblems(spec: { paths?: Record<string, Record<string, Operation>> }) {
  for (const operations of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.["application/json"];
        const isProblem =
          json?.schema?.properties?.title !== undefined && json.schema.properties.detail !== undefined;
        if (Number(status) >= 400 && isProblem && response.content) {
          response.content = { "application/problem+json": json };
        }
      }
    }
  }
  return spec;
}

/**
 * Elysia documents a numeric query parameter as "a numeric string (default 0) or a number"; Swagger UI
 * then pre-fills 0, which is out of range for `limit`. The number branch alone says what we accept.
 */
export function numericParameters(spec: { paths?: Record<string, Record<string, Operation>> }) {
  for (const operations of Object.values(spec.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) {
        const branches = parameter.schema?.anyOf ?? [];
        const number = branches.find((b) => b.type === "number" || b.type === "integer");
        const coerced = branches.some(
          (b) => b.type === "string" && (b.format === "numeric" || b.format === "integer"),
        );
        if (branches.length === 2 && number && coerced) parameter.schema = number;
      }
    }
  }
  return spec;
}

export function docsRoutes(version: string) {
  return new Elysia({ name: "routes/docs" })
    .onAfterHandle(({ path, response }) => {
      if (path === "/docs/json" && response && typeof response === "object")
        return numericParameters(labelProblems(response));
    })
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        exclude: { paths: [/^\/docs/, /^\/problems/] },
        swagger: {
          cdn: `${ASSET_PREFIX}swagger-ui-bundle.js`,
          theme: `${ASSET_PREFIX}swagger-ui.css`,
          autoDarkMode: false,
          persistAuthorization: true,
          // Swagger UI's default validator badge is fetched from the internet; the docs must work offline.
          validatorUrl: "none",
        },
        documentation: {
          info: {
            title: "Search Gateway",
            version,
            description:
              "The front door of the product search: log in, then search every marketplace at once. " +
              "Errors are RFC 9457 problem+json. Use **Authorize** with a demo user (e.g. premium@example.com / premium-pass).",
          },
          tags: [
            { name: "auth", description: "Tokens" },
            { name: "account", description: "The caller" },
            { name: "search", description: "Product search" },
            { name: "operations", description: "Probes for load balancers and orchestrators" },
          ],
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
              oauth2: { type: "oauth2", flows: { password: { tokenUrl: "/login", scopes: {} } } },
            },
          },
        },
      }),
    )
    .get(
      "/docs/assets/:name",
      ({ params, set }) => {
        const asset = assets.get(params.name);
        if (!asset) throw new NotFound(`There is no documentation asset ${params.name}.`);
        set.headers["content-type"] = asset.type;
        set.headers["cache-control"] = "public, max-age=86400";
        return Bun.file(asset.path);
      },
      { detail: { hide: true } },
    );
}
