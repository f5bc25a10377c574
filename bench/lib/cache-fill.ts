/**
 * How full a gateway's search cache got: its entries (the gateway_search_cache_entries gauge on /metrics,
 * open on the public port in the bench's settings) times one answer's bytes, over its byte budget. The
 * store counts a key's and a value's UTF-8 bytes; one answer's body stands in for both (its request id
 * and `cached` flag are the difference, about 2%), so the fill is an estimate, good enough to tell a
 * budget the load filled from one it never reached.
 */
import { settings } from "../../src/core/config/settings.ts";

export async function cacheFill(
  url: string,
  token: string,
  budgetBytes: number,
): Promise<{ entries: number | null; fill: number | null }> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const match = /^gateway_search_cache_entries (\d+)/m.exec(metrics);
  if (!match) return { entries: null, fill: null };
  const entries = Number(match[1]);
  const answer = await fetch(`${url}/search?query=zipf1`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = (await answer.arrayBuffer()).byteLength;
  return { entries, fill: answer.ok ? Math.round(((entries * bytes) / budgetBytes) * 1000) / 1000 : null };
}

/** The budget a gateway target runs with: its GATEWAY_CACHE_MAX_BYTES, or the setting's default. */
export const budgetOf = (env: Record<string, string> | undefined) =>
  Number(env?.GATEWAY_CACHE_MAX_BYTES ?? settings.cacheMaxBytes.default);
