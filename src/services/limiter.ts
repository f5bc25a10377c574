import { RateLimited } from "../core/errors.ts";
import type { Caller } from "../models/caller.ts";
import type { PlanLimits, PlanTable } from "../models/subscription.ts";
import type { Decision, LimitStore } from "../stores/limit-store.ts";

export type PolicyName = "minute" | "day";

/** One quota policy as the RateLimit headers and /profile show it. */
export interface PolicyState {
  name: PolicyName;
  quota: number;
  windowSeconds: number;
  remaining: number;
  /** Seconds until `remaining` rises above 0 when exhausted, else until the quota is whole again. */
  resetSeconds: number;
}

export interface LimitDecision {
  allowed: boolean;
  violated: PolicyName[];
  policies: PolicyState[];
  retryAfterSeconds: number;
  /** Set when a search was counted against the day quota, so a failed search can give it back. */
  countedKey?: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** `kind`: "request" for any authenticated call, "search" for a search that passed validation. */
export type LimitKind = "request" | "search";

/**
 * The plan's limits for one caller: a token bucket over every authenticated request and a UTC-day
 * quota of accepted searches, decided together in one store call. Shared by the server and the CLI.
 */
export class Limiter {
  constructor(
    private readonly store: LimitStore,
    private readonly plans: PlanTable,
  ) {}

  /** Without a promise when the store answers without one (the in-process store); callers await it. */
  check(caller: Caller, kind: LimitKind, now = Date.now()): LimitDecision | Promise<LimitDecision> {
    const plan = this.plans[caller.plan];
    const id = caller.user.id;
    const day = Math.floor(now / DAY_MS);
    const daily = plan.searchesPerDay;
    const counterKey = `quota:${id}:${day}`;
    const result = this.store.decide(
      { key: `rate:${id}`, limit: plan.requestsPerMinute, periodMs: MINUTE_MS },
      daily === null
        ? undefined
        : { key: counterKey, limit: daily, ttlMs: (day + 1) * DAY_MS - now, take: kind === "search" },
    );
    return result instanceof Promise
      ? result.then((r) => this.#decision(r, plan, kind, counterKey))
      : this.#decision(result, plan, kind, counterKey);
  }

  // One policy object per window and at most one violated: no arrays built only to be filtered.
  #decision(result: Decision, plan: PlanLimits, kind: LimitKind, counterKey: string): LimitDecision {
    const daily = plan.searchesPerDay;
    const { bucket, counter } = result;
    const minute: PolicyState = {
      name: "minute",
      quota: plan.requestsPerMinute,
      windowSeconds: 60,
      remaining: bucket.remaining,
      resetSeconds: Math.ceil((bucket.allowed ? bucket.resetMs : bucket.retryMs) / 1000),
    };
    const day: PolicyState | undefined =
      daily !== null && counter
        ? {
            name: "day",
            quota: daily,
            windowSeconds: 86_400,
            remaining: Math.max(0, daily - counter.count),
            resetSeconds: Math.ceil(counter.resetMs / 1000),
          }
        : undefined;
    // The minute's refusal wins: its retry is what the client can act on first.
    const blocking = !bucket.allowed ? minute : counter && !counter.allowed ? day : undefined;
    const decision: LimitDecision = {
      allowed: blocking === undefined,
      violated: blocking === undefined ? [] : [blocking.name],
      policies: day === undefined ? [minute] : [minute, day],
      retryAfterSeconds: blocking === undefined ? 0 : Math.max(0, blocking.resetSeconds),
    };
    if (kind === "search" && counter?.allowed && bucket.allowed) decision.countedKey = counterKey;
    return decision;
  }

  /** A counted search that then failed is not charged. */
  async release(decision: LimitDecision): Promise<void> {
    if (decision.countedKey) await this.store.release(decision.countedKey);
  }

  static refusal(decision: LimitDecision): RateLimited {
    const quota = decision.violated.includes("day");
    const policy = decision.policies.find((p) => p.name === decision.violated[0]);
    const detail = quota
      ? `The daily quota of ${policy?.quota} searches is used up; it renews at 00:00 UTC.`
      : `More than ${policy?.quota} requests per minute; retry in ${decision.retryAfterSeconds} s.`;
    return new RateLimited(detail, decision.retryAfterSeconds, quota ? "quota-exceeded" : "rate-limited", {
      "violated-policies": decision.violated,
    });
  }
}

export interface Usage {
  limit: number | null;
  remaining: number | null;
  reset_seconds: number | null;
}

/** What /profile shows: each policy's state after this request; an unlimited day quota is all nulls. */
export function usageOf(decision: LimitDecision): { minute: Usage; day: Usage } {
  const of = (name: PolicyName): Usage => {
    const p = decision.policies.find((policy) => policy.name === name);
    return p
      ? { limit: p.quota, remaining: p.remaining, reset_seconds: p.resetSeconds }
      : { limit: null, remaining: null, reset_seconds: null };
  };
  return { minute: of("minute"), day: of("day") };
}
