import { cpuSeconds, rssBytes } from "./proc.ts";
import { median, type Summary } from "./results.ts";
import { type LoadMode, type LoadResult, wrk } from "./wrk.ts";

export interface Measured extends LoadResult {
  rps: number;
  cpu_us_per_request: number;
  peak_rss_mb: number;
}

const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;

/** The highest RSS of a process, sampled every 100 ms from `start` until `stop`. */
export function rssPeak(pid: number) {
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // exited
    }
  }, 100);
  return {
    stop(): number {
      clearInterval(sampler);
      return mb(peak);
    },
  };
}

export interface Load {
  connections: number;
  seconds: number;
  token: string;
  mode: LoadMode;
  queries: string | undefined;
  core: number | undefined;
}

/** One wrk run with the target's CPU (utime + stime from /proc) over it and its peak RSS during it. */
export async function measure(
  target: { child: { pid: number }; url: string },
  load: Load,
): Promise<Measured> {
  const pid = target.child.pid;
  const peak = rssPeak(pid);
  const cpuBefore = cpuSeconds(pid);
  const result = await wrk({ url: target.url, ...load });
  const cpu = cpuSeconds(pid) - cpuBefore;
  return {
    ...result,
    rps: Math.round(result.requests / result.seconds),
    cpu_us_per_request: Math.round((cpu / result.requests) * 1e7) / 10,
    peak_rss_mb: peak.stop(),
  };
}

/** Medians over the rounds; the highest peak RSS; non-2xx and socket errors summed. */
export function summarize(runs: Measured[]): Summary {
  const ratios = runs.flatMap((r) => (r.hit_ratio === null ? [] : [r.hit_ratio]));
  return {
    rps: median(runs.map((r) => r.rps)),
    hit_ratio: ratios.length ? median(ratios) : null,
    p50_us: median(runs.map((r) => r.p50_us)),
    p99_us: median(runs.map((r) => r.p99_us)),
    cpu_us_per_request: median(runs.map((r) => r.cpu_us_per_request)),
    peak_rss_mb: Math.max(...runs.map((r) => r.peak_rss_mb)),
    non2xx: runs.reduce((n, r) => n + r.non2xx + r.socket_errors, 0),
    load_cores: median(runs.map((r) => r.load_cores)),
  };
}
