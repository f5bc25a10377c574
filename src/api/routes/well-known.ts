import { Elysia } from "elysia";
import { NotFound } from "../../core/errors.ts";
import type { KeyRingHolder } from "../../core/security/key-ring-holder.ts";
import { AuthorizationServerMetadata, Jwks } from "../../models/well-known.ts";
import { responses } from "./responses.ts";

/**
 * What another service needs to verify the gateway's tokens without holding a secret: the public keys
 * (RFC 7517), and the RFC 8414 metadata that points at them. The metadata's URLs are absolute and come
 * only from GATEWAY_PUBLIC_URL, never from the request's Host: a Host-derived issuer would let anyone who
 * reaches the gateway (or poisons a cache in front) publish another issuer and token endpoint.
 */
export function wellKnownRoutes(keys: KeyRingHolder, publicUrl: string | undefined) {
  const metadata: AuthorizationServerMetadata | undefined =
    publicUrl === undefined
      ? undefined
      : {
          issuer: publicUrl,
          token_endpoint: `${publicUrl}/token`,
          jwks_uri: `${publicUrl}/.well-known/jwks.json`,
          revocation_endpoint: `${publicUrl}/revoke`,
          response_types_supported: [],
          grant_types_supported: ["password", "refresh_token"],
          token_endpoint_auth_methods_supported: ["none"],
          revocation_endpoint_auth_methods_supported: ["none"],
        };
  return new Elysia({ name: "routes/well-known" })
    .get(
      "/.well-known/jwks.json",
      ({ set }) => {
        // Five minutes: a verifier sees a new verify-only key well before it signs anything (docs/deploy.md).
        set.headers["cache-control"] = "public, max-age=300";
        return { keys: keys.current.jwks };
      },
      {
        response: responses({ 200: Jwks }, []),
        detail: {
          tags: ["auth"],
          summary: "The public keys that verify access tokens (JWK Set)",
          description:
            "Cached for five minutes; a new verify-only key shows here well before it signs anything.",
          operationId: "getJwks",
          security: [],
        },
      },
    )
    .get(
      "/.well-known/oauth-authorization-server",
      ({ set }) => {
        if (!metadata)
          throw new NotFound(
            "No authorization server metadata: the gateway's GATEWAY_PUBLIC_URL is not set.",
          );
        set.headers["cache-control"] = "public, max-age=300";
        return metadata;
      },
      {
        response: responses({ 200: AuthorizationServerMetadata }, [404]),
        detail: {
          tags: ["auth"],
          summary: "OAuth 2.0 Authorization Server Metadata (RFC 8414)",
          description:
            "Absolute URLs from GATEWAY_PUBLIC_URL only (never the request's Host); 404 while it is not set.",
          operationId: "getAuthorizationServerMetadata",
          security: [],
        },
      },
    );
}
