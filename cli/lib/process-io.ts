import { createInterface } from "node:readline";
import { stdoutSink } from "../../src/core/logger.ts";
import type { IO } from "./io.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** Prompts on the terminal; a hidden answer echoes nothing while typed. */
function prompt(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (options.hidden) {
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    output._writeToOutput = (s: string) => {
      if (s.startsWith(question)) process.stderr.write(question);
    };
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (options.hidden) process.stderr.write("\n");
      resolve(answer);
    });
  });
}

export function processIO(): IO {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // A served request's access line went out as a write(2) of its own until this: ~5 µs of the
    // gateway's ~30 µs per cache hit (docs/performance.md, "The access log's write").
    logLine: stdoutSink,
    readStdin,
    prompt: process.stdin.isTTY ? prompt : undefined,
    env: process.env,
  };
}
