import { type Static, t } from "elysia";

/** What the Users service stores about a subscription; the effective plan is derived in `subscription.ts`. */
export const SubscriptionName = t.Union([t.Literal("free"), t.Literal("premium")], {
  description: "Subscription as stored by the Users service",
});
export type SubscriptionName = Static<typeof SubscriptionName>;

export const UserId = t.String({ format: "uuid", description: "User id (UUID)" });

/** The Users service's `User` (docs/backends.md); validated on every answer, never trusted. */
export const User = t.Object({
  id: UserId,
  email: t.String({ minLength: 3, maxLength: 254 }),
  subscription: SubscriptionName,
  expires_at: t.Union([t.String({ format: "date-time" }), t.Null()], {
    description: "When a premium subscription ends (ISO-8601); null = never",
  }),
});
export type User = Static<typeof User>;

export const Credentials = t.Object({
  email: t.String({ minLength: 1, maxLength: 254 }),
  password: t.String({ minLength: 1, maxLength: 1024 }),
});
export type Credentials = Static<typeof Credentials>;

export const VerifyCredentialsResponse = t.Object({ user: User });
export type VerifyCredentialsResponse = Static<typeof VerifyCredentialsResponse>;
