import type { LimitDecision, PolicyState } from "../services/limiter.ts";

/** draft-ietf-httpapi-ratelimit-headers-10: every policy in RateLimit-Policy, the tightest in RateLimit. */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const policy = decision.policies.map((p) => `"${p.name}";q=${p.quota};w=${p.windowSeconds}`).join(", ");
  const tightest = mostConstrained(decision);
  return {
    "ratelimit-policy": policy,
    ratelimit: `"${tightest.name}";r=${tightest.remaining};t=${tightest.resetSeconds}`,
  };
}

/** A violated policy if any, else the one with the least left (ties: the one that takes longer to renew). */
function mostConstrained(decision: LimitDecision): PolicyState {
  const violated = decision.policies.find((p) => decision.violated.includes(p.name));
  if (violated) return violated;
  return decision.policies.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.resetSeconds > a.resetSeconds) ? b : a,
  );
}
