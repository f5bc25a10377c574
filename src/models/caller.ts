import { type Static, t } from "elysia";
import { PlanLimits, PlanName, SubscriptionView } from "./subscription.ts";
import { User } from "./user.ts";

/** Who is calling, resolved fresh (within the user cache's TTL) from the Users service, never from the token. */
export const Caller = t.Object({
  user: User,
  plan: PlanName,
  limits: PlanLimits,
  subscription: SubscriptionView,
});
export type Caller = Static<typeof Caller>;
