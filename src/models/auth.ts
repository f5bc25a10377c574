import { type Static, t } from "elysia";
import { PlanLimits, PlanName, SubscriptionView } from "./subscription.ts";
import { UserId } from "./user.ts";

const Password = t.String({ minLength: 1, maxLength: 1024, examples: ["premium-pass"] });

/** JSON `{email, password}`, or the OAuth2 password grant's form fields so Swagger's Authorize works. */
export const LoginBody = t.Union([
  t.Object({
    email: t.String({ minLength: 1, maxLength: 254, examples: ["premium@example.com"] }),
    password: Password,
  }),
  t.Object({
    username: t.String({ minLength: 1, maxLength: 254, description: "The email, as OAuth2 calls it" }),
    password: Password,
    grant_type: t.Optional(t.Literal("password")),
    scope: t.Optional(t.String({ maxLength: 1000 })),
    client_id: t.Optional(t.String({ maxLength: 200 })),
    client_secret: t.Optional(t.String({ maxLength: 200 })),
  }),
]);
export type LoginBody = Static<typeof LoginBody>;

export const TokenResponse = t.Object({
  access_token: t.String(),
  token_type: t.Literal("bearer"),
  expires_in: t.Integer({ description: "Seconds until the token expires" }),
});
export type TokenResponse = Static<typeof TokenResponse>;

export const Profile = t.Object({
  id: UserId,
  email: t.String(),
  plan: PlanName,
  subscription: SubscriptionView,
  limits: PlanLimits,
});
export type Profile = Static<typeof Profile>;
