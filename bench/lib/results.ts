/** The shapes one bench run produces: what the goals, the tables, the chart and results.json read. */

/** One target in one scenario: medians over rounds (peak RSS: the highest seen, non-2xx: the sum). */
export interface Summary {
  rps: number;
  hit_ratio: number | null;
  p50_us: number;
  p99_us: number;
  cpu_us_per_request: number;
  peak_rss_mb: number;
  non2xx: number;
  load_cores: number;
  /** Memory scenarios: entries in the search cache at the end (from /metrics), null where unknown. */
  cache_entries?: number | null;
  /** Memory scenarios: entries x one answer's bytes over GATEWAY_CACHE_MAX_BYTES, about how full it got. */
  cache_fill?: number | null;
}

export interface Soak {
  rss_start_mb: number;
  rss_end_mb: number;
  growth: number;
  non2xx: number;
}

export interface BenchResults {
  /** scenario -> target -> summary. */
  summary: Record<string, Record<string, Summary>>;
  /** target -> why it could not run on this machine. */
  skipped: Record<string, string>;
  startup_ms?: number | undefined;
  soak?: Soak | undefined;
  /**
   * Speed scenarios: scenario -> target -> CPU µs per request of each round, in round order. The targets
   * of a round run one after another, so a CPU goal is read round by round (the median of the rounds'
   * ratios): drift between rounds then falls on both sides of a ratio, not on one.
   */
  rounds?: Record<string, Record<string, number[]>> | undefined;
}

/** The summary of `target` in `scenario`, or why there is none (a skipped peer, a subset run). */
export function lookup(results: BenchResults, scenario: string, target: string): Summary | string {
  const found = results.summary[scenario]?.[target];
  if (found) return found;
  const skipped = results.skipped[target];
  return skipped ? `${target} skipped: ${skipped}` : `${scenario}/${target} not run`;
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
