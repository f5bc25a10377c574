import type { LimitDecision, PolicyState } from "../services/limiter.ts";

// A plan's policies are the same on every answer (names, quotas, windows), so their header text is made
// once per set of policies and found again by comparing those fields, not by building a key string per
// answer. Bounded: plans are few, but a table may change while the process runs.
const POLICY_TEXTS_MAX = 16;
const policyTexts: { policies: readonly PolicyState[]; text: string }[] = [];

const samePolicies = (a: readonly PolicyState[], b: readonly PolicyState[]) =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i] as PolicyState;
    return p.name === q.name && p.quota === q.quota && p.windowSeconds === q.windowSeconds;
  });

function policyText(policies: readonly PolicyState[]): string {
  for (const known of policyTexts) if (samePolicies(known.policies, policies)) return known.text;
  const text = policies.map((p) => `"${p.name}";q=${p.quota};w=${p.windowSeconds}`).join(", ");
  if (policyTexts.length >= POLICY_TEXTS_MAX) policyTexts.pop();
  policyTexts.unshift({ policies, text });
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
