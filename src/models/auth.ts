import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";
import { PlanLimits, PlanName, SubscriptionView } from "./subscription.ts";
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, UserId } from "./user.ts";

/** The longest access-token lifetime GATEWAY_JWT_TTL allows, seconds. */
export const ACCESS_TTL_MAX_SECONDS = 86_400;
/** The longest refresh-token lifetime and session age the settings allow, seconds. */
export const REFRESH_TTL_MAX_SECONDS = 31_536_000;
/** Refresh tokens are opaque and short; POST /token takes no longer one. */
export const REFRESH_TOKEN_MAX_LENGTH = 512;
/** An access token (a compact JWS of the gateway's few claims) stays well under this. */
export const ACCESS_TOKEN_MAX_LENGTH = 4096;

/**
 * JSON `{email, password}`, or the OAuth2 password grant's form fields (`username` is the email) so
 * Swagger's Authorize works. One object rather than a union: a union's validation errors cannot say
 * which field is wrong. That one of email/username is present is checked by the route.
 */
export const LoginBody = t.Object({
  email: t.Optional(
    t.String({
      minLength: 1,
      maxLength: EMAIL_MAX_LENGTH,
      examples: ["premium@example.com"],
      error: `must be 1 to ${EMAIL_MAX_LENGTH} characters`,
    }),
  ),
  username: t.Optional(
    t.String({
      minLength: 1,
      maxLength: EMAIL_MAX_LENGTH,
      description: "OAuth2 form: the email",
      error: `must be 1 to ${EMAIL_MAX_LENGTH} characters`,
    }),
  ),
  password: t.String({
    minLength: 1,
    maxLength: PASSWORD_MAX_LENGTH,
    examples: ["premium-pass"],
    error: `is required (1 to ${PASSWORD_MAX_LENGTH} characters)`,
  }),
  // Any string, so that another grant is the route's unsupported_grant_type rather than a schema error.
  grant_type: t.Optional(
    t.String({
      maxLength: 100,
      description: 'OAuth2 form: "password"',
      error: "must be at most 100 characters",
    }),
  ),
  scope: t.Optional(t.String({ maxLength: 1000 })),
  client_id: t.Optional(t.String({ maxLength: 200 })),
  client_secret: t.Optional(t.String({ maxLength: 200 })),
});
export type LoginBody = Static<typeof LoginBody>;

export const TokenResponse = t.Object({
  access_token: t.String({ maxLength: ACCESS_TOKEN_MAX_LENGTH }),
  token_type: t.Literal("bearer"),
  expires_in: Type.Integer({
    minimum: 0,
    maximum: ACCESS_TTL_MAX_SECONDS,
    description: "Seconds until the token expires",
  }),
  refresh_token: t.String({
    maxLength: REFRESH_TOKEN_MAX_LENGTH,
    description: "Opaque; send it to POST /token for a new pair. Each one works once (rotation).",
  }),
  refresh_expires_in: Type.Integer({
    minimum: 0,
    maximum: REFRESH_TTL_MAX_SECONDS,
    description:
      "Seconds until the refresh token expires (each refresh starts a new lifetime, up to the session's cap)",
  }),
});
export type TokenResponse = Static<typeof TokenResponse>;

// Bounded by the plan table's largest limit (requests per minute) and a day's window.
const Count = Type.Integer({
  minimum: 0,
  maximum: PlanLimits.properties.requestsPerMinute.maximum as number,
});
const Usage = t.Object({
  limit: t.Union([Count, t.Null()], { description: "null = unlimited" }),
  remaining: t.Union([Count, t.Null()]),
  reset_seconds: t.Union([Type.Integer({ minimum: 0, maximum: 86_400 }), t.Null()], {
    description: "Until `remaining` grows again (see docs/limits.md)",
  }),
});

export const Profile = t.Object({
  id: UserId,
  email: t.String({ maxLength: EMAIL_MAX_LENGTH }),
  plan: PlanName,
  subscription: SubscriptionView,
  limits: PlanLimits,
  usage: t.Object({ minute: Usage, day: Usage }, { description: "Each limit's state after this request" }),
});
export type Profile = Static<typeof Profile>;
