import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IO } from "../../cli/lib/io.ts";
import { main } from "../../cli/main.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), "gateway-cli-"));
}

/** Runs `gateway ...argv` in-process with its own env, stdin and output. */
export async function run(
  argv: string[],
  options: {
    env?: Record<string, string>;
    stdin?: string;
    signal?: AbortSignal;
    onStdout?: (text: string) => void;
    /** Answers to terminal prompts, in order; without it the command sees no terminal. */
    answers?: string[];
    prompts?: { question: string; hidden: boolean }[];
  } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: IO = {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(text);
    },
    stderr: (text) => {
      stderr += text;
    },
    readStdin: async () => options.stdin ?? "",
    env: options.env ?? {},
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const answers = options.answers;
  if (answers) {
    io.prompt = async (question, promptOptions) => {
      options.prompts?.push({ question, hidden: promptOptions?.hidden ?? false });
      return answers.shift() ?? "";
    };
  }
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
