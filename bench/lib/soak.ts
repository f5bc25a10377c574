import { LOAD_CORE, startBackends, startTarget, TOKEN } from "./launch.ts";
import { rssBytes } from "./proc.ts";
import { median, type Soak } from "./results.ts";
import { wrk } from "./wrk.ts";

/** The gateway on the miss path for 60 s after `warmupSeconds`, RSS sampled once a second. */
export async function soak(warmupSeconds: number): Promise<Soak> {
  const backends = await startBackends(0);
  const target = await startTarget({ name: "gateway", kind: "gateway" }, backends.urls);
  const load = { url: target.url, connections: 32, token: TOKEN, mode: "miss" as const, core: LOAD_CORE };
  await wrk({ ...load, seconds: warmupSeconds });
  // RSS swings by +-15% between collections under this load, so two single readings can show growth
  // that is not there: the medians of the first and the last 10 s of one-second samples are compared.
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssBytes(target.child.pid)), 1000);
  const result = await wrk({ ...load, seconds: 60 });
  clearInterval(sampler);
  await target.stop();
  await backends.stop();
  const start = median(samples.slice(0, 10));
  const end = median(samples.slice(-10));
  return {
    rss_start_mb: Math.round(start / 1e5) / 10,
    rss_end_mb: Math.round(end / 1e5) / 10,
    growth: Math.round((end / start - 1) * 1000) / 1000,
    non2xx: result.non2xx + result.socket_errors,
  };
}
