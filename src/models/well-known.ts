import { type Static, t } from "elysia";

/** A key ring holds at most this many keys (key-ring.ts refuses more), so the JWK Set is bounded too. */
export const KEY_RING_MAX_KEYS = 100;
export const KID_MAX_LENGTH = 128;
/** `https://`, a DNS name's 253 characters and a port: GATEWAY_PUBLIC_URL is refused when longer. */
export const ORIGIN_MAX_LENGTH = 270;
// A coordinate of Ed25519 or P-256 is 32 bytes: 43 base64url characters.
const COORDINATE = t.String({ pattern: "^[A-Za-z0-9_-]{43}$", maxLength: 43 });
const ENDPOINT = t.String({ maxLength: ORIGIN_MAX_LENGTH + 100 });

/** A public signing key as RFC 7517 §4 spells it; never a private member (`d`). */
export const PublicJwk = t.Object({
  kty: t.Union([t.Literal("OKP"), t.Literal("EC")]),
  crv: t.Union([t.Literal("Ed25519"), t.Literal("P-256")]),
  x: COORDINATE,
  y: t.Optional(COORDINATE),
  kid: t.String({ pattern: `^[A-Za-z0-9._-]{1,${KID_MAX_LENGTH}}$`, maxLength: KID_MAX_LENGTH }),
  alg: t.Union([t.Literal("EdDSA"), t.Literal("ES256")]),
  use: t.Literal("sig"),
});
export type PublicJwk = Static<typeof PublicJwk>;

export const Jwks = t.Object(
  { keys: t.Array(PublicJwk, { maxItems: KEY_RING_MAX_KEYS }) },
  { description: "RFC 7517 §5 JWK Set: the active and verify-only keys (empty while signing with HS256)" },
);
export type Jwks = Static<typeof Jwks>;

/** RFC 8414 §2: only the members this gateway has; OPTIONAL ones whose default would be wrong are given. */
export const AuthorizationServerMetadata = t.Object({
  issuer: t.String({
    maxLength: ORIGIN_MAX_LENGTH,
    description: "Equal to the `iss` of every access token (RFC 8414 §3.3)",
  }),
  token_endpoint: ENDPOINT,
  jwks_uri: ENDPOINT,
  revocation_endpoint: ENDPOINT,
  response_types_supported: t.Array(t.String({ maxLength: 100 }), {
    maxItems: 0,
    description: "REQUIRED by RFC 8414 §2; empty, as there is no authorization endpoint",
  }),
  grant_types_supported: t.Array(t.Union([t.Literal("password"), t.Literal("refresh_token")]), {
    maxItems: 2,
  }),
  token_endpoint_auth_methods_supported: t.Array(t.Literal("none"), { maxItems: 1 }),
  revocation_endpoint_auth_methods_supported: t.Array(t.Literal("none"), { maxItems: 1 }),
});
export type AuthorizationServerMetadata = Static<typeof AuthorizationServerMetadata>;
