import { join } from "node:path";
import { cpuSeconds } from "./proc.ts";
import { pinned } from "./targets.ts";

export interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  socket_errors: number;
  p50_us: number;
  p99_us: number;
  /** CPU the load generator itself used, in cores: near 1 means it, not the target, was the limit. */
  load_cores: number;
}

/** One wrk run against `url`, from its own process on the load core. */
export async function wrk(options: {
  url: string;
  connections: number;
  seconds: number;
  token: string;
  mode: "miss" | "hit";
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
    env: { ...process.env, BENCH_TOKEN: options.token, BENCH_MODE: options.mode },
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
  const result = JSON.parse(line.slice(6)) as Omit<LoadResult, "load_cores">;
  return { ...result, load_cores: lastCpu / options.seconds };
}
