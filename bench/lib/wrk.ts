import { join } from "node:path";
import { cpuSeconds } from "./proc.ts";
import { pinned } from "./targets.ts";

export type LoadMode = "miss" | "hit" | "zipf";

export interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  socket_errors: number;
  p50_us: number;
  p99_us: number;
  /** CPU the load generator itself used, in cores: near 1 means it, not the target, was the limit. */
  load_cores: number;
  /** Answers with X-Cache HIT over answers with any X-Cache; null for a target that sends none. */
  hit_ratio: number | null;
}

let runs = 0;

/** One wrk run against `url`, from its own process on the load core. */
export async function wrk(options: {
  url: string;
  connections: number;
  seconds: number;
  token: string;
  mode: LoadMode;
  /** The query file a "zipf" run reads (bench/lib/zipf.ts). */
  queries?: string | undefined;
  core: number | undefined;
}): Promise<LoadResult> {
  const argv = pinned(options.core, [
    "wrk",
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "10s",
    "-s",
    join(import.meta.dir, "load.lua"),
    options.url,
  ]);
  const child = Bun.spawn(argv, {
    stdout: "pipe",
    stderr: "pipe",
    env: {
      ...process.env,
      BENCH_TOKEN: options.token,
      BENCH_MODE: options.mode,
      BENCH_QUERIES: options.queries ?? "",
      BENCH_RUN: `${process.pid}n${++runs}`,
    },
  });
  let lastCpu = 0;
  const sampler = setInterval(() => {
    try {
      lastCpu = cpuSeconds(child.pid);
    } catch {
      // exited
    }
  }, 200);
  const output = await new Response(child.stdout).text();
  await child.exited;
  clearInterval(sampler);
  const line = output.split("\n").find((l) => l.startsWith("BENCH "));
  if (!line) throw new Error(`wrk printed no summary: ${output} ${await new Response(child.stderr).text()}`);
  const { cache_hits, cache_answers, ...result } = JSON.parse(line.slice(6)) as Omit<
    LoadResult,
    "load_cores" | "hit_ratio"
  > & { cache_hits: number; cache_answers: number };
  return {
    ...result,
    load_cores: lastCpu / options.seconds,
    hit_ratio: cache_answers > 0 ? Math.round((cache_hits / cache_answers) * 1000) / 1000 : null,
  };
}
