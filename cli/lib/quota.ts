import { humanDuration } from "./duration.ts";

/** The tightest limit an answer reports, as read from its RateLimit headers. */
export interface Quota {
  name: string;
  quota: number | undefined;
  remaining: number;
  resetSeconds: number;
}

/**
 * Reads draft-ietf-httpapi-ratelimit-headers' `RateLimit` (the tightest policy: r and t) and
 * `RateLimit-Policy` (every policy's q). In-process answers are read through the same headers
 * (src/api/rate-limit-headers.ts), so both modes say the same thing.
 */
export function quotaOf(headers: Headers): Quota | undefined {
  const current = /^"([^"]+)";r=(\d+);t=(\d+)$/.exec(headers.get("ratelimit")?.trim() ?? "");
  if (!current) return undefined;
  const [, name = "", remaining, reset] = current;
  const policy = (headers.get("ratelimit-policy") ?? "")
    .split(",")
    .map((p) => /^"([^"]+)";q=(\d+)/.exec(p.trim()))
    .find((p) => p?.[1] === name);
  return {
    name,
    quota: policy?.[2] === undefined ? undefined : Number(policy[2]),
    remaining: Number(remaining),
    resetSeconds: Number(reset),
  };
}

const WHAT: Record<string, string> = { minute: "requests this minute", day: "searches today" };

/** e.g. `199 of 200 searches today left, renews in 12h 51m`. */
export function quotaText(quota: Quota): string {
  const of = quota.quota === undefined ? "" : ` of ${quota.quota}`;
  return `${quota.remaining}${of} ${WHAT[quota.name] ?? quota.name} left, renews in ${humanDuration(quota.resetSeconds)}`;
}
