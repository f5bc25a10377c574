import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";
import { PlanLimits, PlanName, SubscriptionView } from "./subscription.ts";
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, UserId } from "./user.ts";

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
  access_token: t.String(),
  token_type: t.Literal("bearer"),
  expires_in: Type.Integer({ description: "Seconds until the token expires" }),
  refresh_token: t.String({
    description: "Opaque; send it to POST /token for a new pair. Each one works once (rotation).",
  }),
  refresh_expires_in: Type.Integer({
    description:
      "Seconds until the refresh token expires (each refresh starts a new lifetime, up to the session's cap)",
  }),
});
export type TokenResponse = Static<typeof TokenResponse>;

const Usage = t.Object({
  limit: t.Union([Type.Integer(), t.Null()], { description: "null = unlimited" }),
  remaining: t.Union([Type.Integer(), t.Null()]),
  reset_seconds: t.Union([Type.Integer(), t.Null()], {
    description: "Until `remaining` grows again (see docs/limits.md)",
  }),
});

export const Profile = t.Object({
  id: UserId,
  email: t.String(),
  plan: PlanName,
  subscription: SubscriptionView,
  limits: PlanLimits,
  usage: t.Object({ minute: Usage, day: Usage }, { description: "Each limit's state after this request" }),
});
export type Profile = Static<typeof Profile>;
