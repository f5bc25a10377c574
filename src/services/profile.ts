import type { Profile } from "../models/auth.ts";
import type { Caller } from "../models/caller.ts";
import { type LimitDecision, usageOf } from "./limiter.ts";

/** The caller as GET /profile and `gateway profile` show it. */
export function profileOf(caller: Caller, limits: LimitDecision): Profile {
  return {
    id: caller.user.id,
    email: caller.user.email,
    plan: caller.plan,
    subscription: caller.subscription,
    limits: caller.limits,
    usage: usageOf(limits),
  };
}
