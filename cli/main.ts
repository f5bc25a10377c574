#!/usr/bin/env bun
import { CommanderError } from "commander";
import { cliErrorOf, errorOutput } from "./lib/errors.ts";
import { EXIT, type IO } from "./lib/io.ts";
import { processIO } from "./lib/process-io.ts";
import { buildProgram } from "./program.ts";

/** Runs one `gateway` command and returns its exit code; never calls process.exit, so tests can call it. */
export async function main(argv: string[], io: IO = processIO()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const failure = cliErrorOf(error);
    io.stderr(errorOutput(failure.message));
    return failure.exitCode;
  }
}

// No top-level await: the binary is compiled to bytecode, which needs a module without it.
if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Idle keep-alive sockets must not hold a finished one-off command open.
    setTimeout(() => process.exit(code), 200).unref();
  });
}
