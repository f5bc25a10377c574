import { type Static, t } from "elysia";

/** A public signing key as RFC 7517 §4 spells it; never a private member (`d`). */
export const PublicJwk = t.Object({
  kty: t.Union([t.Literal("OKP"), t.Literal("EC")]),
  crv: t.Union([t.Literal("Ed25519"), t.Literal("P-256")]),
  x: t.String(),
  y: t.Optional(t.String()),
  kid: t.String(),
  alg: t.Union([t.Literal("EdDSA"), t.Literal("ES256")]),
  use: t.Literal("sig"),
});
export type PublicJwk = Static<typeof PublicJwk>;

export const Jwks = t.Object(
  { keys: t.Array(PublicJwk) },
  { description: "RFC 7517 §5 JWK Set: the active and verify-only keys (empty while signing with HS256)" },
);
export type Jwks = Static<typeof Jwks>;

/** RFC 8414 §2: only the members this gateway has; OPTIONAL ones whose default would be wrong are given. */
export const AuthorizationServerMetadata = t.Object({
  issuer: t.String({ description: "Equal to the `iss` of every access token (RFC 8414 §3.3)" }),
  token_endpoint: t.String(),
  jwks_uri: t.String(),
  revocation_endpoint: t.String(),
  response_types_supported: t.Array(t.String(), {
    description: "REQUIRED by RFC 8414 §2; empty, as there is no authorization endpoint",
  }),
  grant_types_supported: t.Array(t.String()),
  token_endpoint_auth_methods_supported: t.Array(t.String()),
  revocation_endpoint_auth_methods_supported: t.Array(t.String()),
});
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadata>;
