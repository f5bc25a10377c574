import type { Subprocess } from "bun";

export interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const hasTaskset = Bun.which("taskset") !== null;

/** A command pinned to one core when taskset exists (the target on one core, load and backends on the other). */
export function pinned(core: number | undefined, argv: string[]): string[] {
  return hasTaskset && core !== undefined ? ["taskset", "-c", String(core), ...argv] : argv;
}

/** Starts a process that prints one JSON line with its URL(s) on stdout, and waits for that line. */
export async function startJsonProcess(
  argv: string[],
  pattern: RegExp = /^\{/,
  env: Record<string, string> = {},
): Promise<{ child: Subprocess<"ignore", "pipe", "pipe">; info: Record<string, string> }> {
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${argv.join(" ")} exited: ${seen} ${await new Response(child.stderr).text()}`);
    seen += decoder.decode(value);
    const line = seen.split("\n").find((l) => pattern.test(l));
    if (line) {
      // Keep reading so a chatty child never blocks on a full pipe.
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })();
      return { child, info: JSON.parse(line) };
    }
  }
}

export async function stopProcess(child: Subprocess): Promise<void> {
  child.kill("SIGTERM");
  await Promise.race([child.exited, Bun.sleep(3000).then(() => child.kill("SIGKILL"))]);
}
