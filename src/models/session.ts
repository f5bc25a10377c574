import { t } from "elysia";
import { REFRESH_TOKEN_MAX_LENGTH } from "./auth.ts";
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH } from "./user.ts";

/**
 * RFC 6749 §4.3 (password) and §6 (refresh) grants, as a form (the RFC's encoding) or JSON. Loose on purpose: a missing or
 * wrong field is answered with §5.2's `invalid_request` / `unsupported_grant_type`, not a 422.
 */
export const TokenBody = t.Object({
  grant_type: t.String({ maxLength: 100, examples: ["refresh_token"], error: "is required" }),
  refresh_token: t.Optional(
    t.String({ maxLength: REFRESH_TOKEN_MAX_LENGTH, description: "The refresh token from /login or /token" }),
  ),
  username: t.Optional(t.String({ maxLength: EMAIL_MAX_LENGTH, description: "Password grant: the email" })),
  password: t.Optional(t.String({ maxLength: PASSWORD_MAX_LENGTH, description: "Password grant" })),
  scope: t.Optional(t.String({ maxLength: 1000 })),
  client_id: t.Optional(t.String({ maxLength: 200 })),
});

/** RFC 7009 §2.1: `token`, and an optional hint the server may use to look it up faster. */
export const RevokeBody = t.Object({
  token: t.String({ minLength: 1, maxLength: 8192, error: "is required" }),
  token_type_hint: t.Optional(
    t.String({ maxLength: 100, description: "`refresh_token` or `access_token`; other values are ignored" }),
  ),
});

/** RFC 6749 §5.2's error body, which /token and /revoke answer instead of problem+json. */
export const OAuthErrorBody = t.Object({
  error: t.Union(
    [
      t.Literal("invalid_request"),
      t.Literal("invalid_grant"),
      t.Literal("unsupported_grant_type"),
      t.Literal("unsupported_token_type"),
    ],
    { examples: ["invalid_grant"] },
  ),
  error_description: t.String({ maxLength: 2000 }),
});

export const LogoutQuery = t.Object({
  all: t.Optional(t.Boolean({ description: "true: end every session of the user, not just this one" })),
});
