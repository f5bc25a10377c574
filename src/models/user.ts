import { type Static, t } from "elysia";
import { Text } from "./text.ts";

/** What the Users service stores about a subscription; the effective plan is derived in `subscription.ts`. */
export const SubscriptionName = t.Union([t.Literal("free"), t.Literal("premium")], {
  description: "Subscription as stored by the Users service",
});
export type SubscriptionName = Static<typeof SubscriptionName>;

/** RFC 5321's longest forward path; the login body and the Users contract share it. */
export const EMAIL_MAX_LENGTH = 254;
/** Long enough for any passphrase; bounds what one login can make the Users service hash. */
export const PASSWORD_MAX_LENGTH = 1024;

export const UserId = t.String({ format: "uuid", maxLength: 36, description: "User id (UUID)" });

/** The Users service's `User` (docs/backends.md); validated on every answer, never trusted. */
export const User = t.Object({
  id: UserId,
  // Text: an address may be internationalized (RFC 6531), bounded in code points as documented.
  email: Text({ minLength: 3, maxLength: EMAIL_MAX_LENGTH }),
  subscription: SubscriptionName,
  expires_at: t.Union([t.String({ format: "date-time" }), t.Null()], {
    description: "When a premium subscription ends (ISO-8601); null = never",
  }),
  disabled: t.Optional(
    t.Boolean({ description: "true: the account may not log in, refresh or use its tokens; absent = false" }),
  ),
});
export type User = Static<typeof User>;

export const Credentials = t.Object({
  email: t.String({ minLength: 1, maxLength: EMAIL_MAX_LENGTH }),
  password: t.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
});
export type Credentials = Static<typeof Credentials>;

export const VerifyCredentialsResponse = t.Object({ user: User });
export type VerifyCredentialsResponse = Static<typeof VerifyCredentialsResponse>;
