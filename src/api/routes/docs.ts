import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import favicon from "swagger-ui-dist/favicon-32x32.png" with { type: "file" };
import css from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import bundle from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { NotFound } from "../../core/errors.ts";
import { standardDocument } from "../openapi-document.ts";

const ASSET_PREFIX = "/docs/assets/";

// Embedded in the binary, so /docs works with no network: nothing is fetched from a CDN. A Map, because
// a plain object would answer `__proto__`, `constructor` and `toString` with what it inherits.
const assets = new Map<string, { path: string; type: string }>([
  ["swagger-ui-bundle.js", { path: bundle, type: "text/javascript; charset=utf-8" }],
  ["swagger-ui.css", { path: css, type: "text/css; charset=utf-8" }],
  ["favicon-32x32.png", { path: favicon, type: "image/png" }],
]);

// What a verifier can rely on, as RFC 8725 (JWT Best Current Practices) asks a JWT scheme to state.
const JWT_PRACTICE =
  "Access tokens are JWTs issued and verified following RFC8725 (JSON Web Token Best Current Practices): " +
  "the algorithm is pinned to the key the `kid` names, so a token cannot choose how it is checked (§3.1; " +
  "EdDSA, ES256 or HS256, never `none`; public keys at /.well-known/jwks.json); `iss` and `aud` are " +
  "required and checked (§3.8, §3.9); `exp`, `iat`, `sub` and `jti` are required, and access tokens are " +
  "short-lived: refresh tokens are opaque and rotate at POST /token.";

export function docsRoutes(version: string, publicUrl?: string) {
  // The plugin caches its document and hands out the same object; it is made standard once, on a copy.
  const standard = new WeakMap<object, object>();
  return new Elysia({ name: "routes/docs" })
    .onAfterHandle(({ path, response }) => {
      if (path !== "/docs/json" || !response || typeof response !== "object") return;
      let done = standard.get(response);
      if (!done) {
        done = standardDocument(structuredClone(response), publicUrl);
        standard.set(response, done);
      }
      return done;
    })
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        // Not the default static-file rule: it drops every path with a dot, /.well-known/* included.
        exclude: { paths: [/^\/docs/, /^\/problems/], staticFile: false },
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
            license: { name: "Proprietary", url: "https://gateway.example.com/license" },
            contact: { name: "Search Gateway team", url: "https://gateway.example.com/support" },
            description:
              "The front door of the product search: log in, then search every marketplace at once. " +
              "Errors are RFC 9457 problem+json. Use **Authorize** with a demo user (e.g. premium@example.com / premium-pass).",
          },
          tags: [
            {
              name: "auth",
              description: "Log in, refresh, revoke and log out; the keys and metadata that verify tokens",
            },
            { name: "account", description: "The caller: profile, effective plan and limits" },
            {
              name: "search",
              description: "Product search across every marketplace, through the Aggregator",
            },
            { name: "operations", description: "Probes for load balancers and orchestrators" },
          ],
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: JWT_PRACTICE },
              oauth2: {
                type: "oauth2",
                description: JWT_PRACTICE,
                flows: { password: { tokenUrl: "/login", refreshUrl: "/token", scopes: {} } },
              },
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
