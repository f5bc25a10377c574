import { Command } from "commander";
import { VERSION } from "../src/version.ts";
import { registerHealthcheck } from "./commands/healthcheck.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerLogin } from "./commands/login.ts";
import { registerLogout } from "./commands/logout.ts";
import { registerProfile } from "./commands/profile.ts";
import { registerReference } from "./commands/reference.ts";
import { registerSearch } from "./commands/search.ts";
import { registerServe } from "./commands/serve.ts";
import { errorOutput } from "./lib/errors.ts";
import type { IO } from "./lib/io.ts";

export function buildProgram(io: IO): Command {
  const program = new Command("gateway")
    .description("The Search Gateway: serve the HTTP API, or log in and search from the terminal")
    .version(VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    // Settings made here are copied to each subcommand as it is created below.
    .exitOverride()
    // Usage errors too go through the one error line ("error: unknown command …" becomes "gateway: …").
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(errorOutput(text.trimEnd().replace(/^error: /, ""))),
    });
  registerServe(program, io);
  registerLogin(program, io);
  registerLogout(program, io);
  registerProfile(program, io);
  registerSearch(program, io);
  registerReference(program, io);
  registerHealthcheck(program, io);
  registerKeys(program, io);
  return program;
}
