import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";
import { AGGREGATOR_LIMIT_MAX } from "./search.ts";
import type { User } from "./user.ts";

export const PlanName = t.Union([t.Literal("free"), t.Literal("premium")], {
  description: "Effective plan: an expired premium subscription counts as free",
});
export type PlanName = Static<typeof PlanName>;

/** One row of the plan table (config key `plans.<name>`). */
export const PlanLimits = t.Object(
  {
    maxResults: Type.Integer({
      minimum: 1,
      maximum: AGGREGATOR_LIMIT_MAX,
      description: "Largest `limit` honoured; larger ones are clamped",
    }),
    maxCategories: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: "Most categories one search may name",
    }),
    requestsPerMinute: Type.Integer({
      minimum: 1,
      maximum: 1_000_000_000,
      description: "Authenticated requests per minute (token bucket: this many at once, refilled evenly)",
    }),
    maxPages: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: "Deepest page one search may be followed to with cursors; beyond it 403",
    }),
    searchesPerDay: t.Union([Type.Integer({ minimum: 1, maximum: 100_000_000 }), t.Null()], {
      description: "Accepted searches per UTC day; null = unlimited",
    }),
  },
  { additionalProperties: false },
);
export type PlanLimits = Static<typeof PlanLimits>;

export const PlanTable = t.Object({ free: PlanLimits, premium: PlanLimits });
export type PlanTable = Static<typeof PlanTable>;

export const DEFAULT_PLANS: PlanTable = {
  free: { maxResults: 20, maxCategories: 2, maxPages: 5, requestsPerMinute: 30, searchesPerDay: 200 },
  premium: { maxResults: 100, maxCategories: 10, maxPages: 50, requestsPerMinute: 300, searchesPerDay: null },
};

/**
 * Login protection (config key `login`; the rules are in docs/limits.md). Rates count every attempt,
 * failure back-off counts failures; the check slots are per instance and guard the Users service.
 */
export const LoginLimits = t.Object(
  {
    maxFailures: Type.Integer({
      minimum: 1,
      maximum: 1000,
      description: "Failures (per account, and per client address) before each attempt must wait",
    }),
    windowSeconds: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      description: "A failure counter is forgotten this long after its latest failure",
    }),
    backoffSeconds: Type.Integer({
      minimum: 1,
      maximum: 3600,
      description: "Wait after the maxFailures-th failure; it doubles with each further failure",
    }),
    maxBackoffSeconds: Type.Integer({ minimum: 1, maximum: 86_400, description: "Cap of that wait" }),
    attemptsPerMinutePerAddress: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: "Login attempts per minute from one client address group, successes included",
    }),
    attemptsPerMinutePerAccount: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: "Login attempts per minute for one account, from anywhere, successes included",
    }),
    ipv6PrefixLength: Type.Integer({
      minimum: 8,
      maximum: 128,
      description: "IPv6 clients are counted per network of this prefix length (one /64 is one subscriber)",
    }),
    maxConcurrentChecks: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      description: "Credential checks in flight to the Users service at once, per instance",
    }),
    queueLength: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      description: "Logins that may wait for a check slot; beyond it 503 at once",
    }),
    queueWaitMs: Type.Integer({
      minimum: 1,
      maximum: 60_000,
      description: "Longest wait for a check slot before 503",
    }),
  },
  { additionalProperties: false },
);
export type LoginLimits = Static<typeof LoginLimits>;

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  maxFailures: 5,
  windowSeconds: 900,
  backoffSeconds: 1,
  maxBackoffSeconds: 300,
  attemptsPerMinutePerAddress: 60,
  attemptsPerMinutePerAccount: 10,
  ipv6PrefixLength: 64,
  maxConcurrentChecks: 8,
  queueLength: 16,
  queueWaitMs: 1000,
};

export const SubscriptionView = t.Object({
  plan: t.Union([t.Literal("free"), t.Literal("premium")], { description: "Plan as stored" }),
  expires_at: t.Union([t.String({ format: "date-time", maxLength: 40 }), t.Null()]),
  active: t.Boolean({ description: "False when a premium subscription has expired" }),
});
export type SubscriptionView = Static<typeof SubscriptionView>;

export function subscriptionOf(user: User, now: number): SubscriptionView {
  const active =
    user.subscription === "free" || user.expires_at === null || Date.parse(user.expires_at) > now;
  return { plan: user.subscription, expires_at: user.expires_at, active };
}

export function effectivePlan(user: User, now: number): PlanName {
  return user.subscription === "premium" && subscriptionOf(user, now).active ? "premium" : "free";
}
