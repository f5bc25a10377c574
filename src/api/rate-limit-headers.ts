import type { LimitDecision, PolicyState } from "../services/limiter.ts";

// A plan's policies are the same on every answer (names, quotas, windows), so their header text is made
// once per set of policies; bounded, as plans are few but a table may change while the process runs.
const POLICY_TEXTS_MAX = 64;
const policyTexts = new Map<string, string>();

function policyText(policies: readonly PolicyState[]): string {
  let key = "";
  for (const p of policies) key += `${p.name}/${p.quota}/${p.windowSeconds};`;
  let text = policyTexts.get(key);
  if (text === undefined) {
    text = policies.map((p) => `"${p.name}";q=${p.quota};w=${p.windowSeconds}`).join(", ");
    if (policyTexts.size >= POLICY_TEXTS_MAX) policyTexts.clear();
    policyTexts.set(key, text);
  }
  return text;
}

/**
 * draft-ietf-httpapi-ratelimit-headers-10: every policy in RateLimit-Policy, the tightest in RateLimit;
 * written into `headers`, which every answer carries anyway.
 */
export function writeRateLimitHeaders(headers: Record<string, unknown>, decision: LimitDecision): void {
  const tightest = mostConstrained(decision);
  headers["ratelimit-policy"] = policyText(decision.policies);
  headers.ratelimit = `"${tightest.name}";r=${tightest.remaining};t=${tightest.resetSeconds}`;
}

/** The same two headers as a record of their own. */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  const headers: Record<string, string> = {};
  writeRateLimitHeaders(headers, decision);
  return headers;
}

/** A violated policy if any, else the one with the least left (ties: the one that takes longer to renew). */
function mostConstrained(decision: LimitDecision): PolicyState {
  const { policies, violated } = decision;
  let tightest = policies[0] as PolicyState;
  for (const p of policies) {
    if (violated.includes(p.name)) return p;
    if (
      p.remaining < tightest.remaining ||
      (p.remaining === tightest.remaining && p.resetSeconds > tightest.resetSeconds)
    )
      tightest = p;
  }
  return tightest;
}
