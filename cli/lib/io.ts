/** Everything a command touches outside itself, so tests run `main()` in-process with their own. */
export interface IO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * One log line bound for stdout. The process's IO batches lines per turn of the event loop (the
   * logger's `stdoutSink`); without it (a test's IO) a line goes to `stdout` as it comes.
   */
  logLine?: (line: string) => void;
  /** Reads all of standard input (for --password-stdin). */
  readStdin: () => Promise<string>;
  /** Asks a question on the terminal; undefined when there is no terminal to ask on. */
  prompt?: ((question: string, options?: { hidden?: boolean }) => Promise<string>) | undefined;
  env: Record<string, string | undefined>;
  /** Aborted to stop a long-running command (serve, reference) the way SIGTERM does. */
  signal?: AbortSignal;
}

/** Where a long-running command's log lines go. */
export const logSinkOf = (io: IO) => io.logLine ?? ((line: string) => io.stdout(`${line}\n`));

/** Exit codes: documented in docs/cli.md. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  forbidden: 4,
  limited: 5,
} as const;

/** A failure the user can act on: printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}
