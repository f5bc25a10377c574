import type { Command } from "commander";
import { saveCredentials } from "../lib/credentials.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";
import { LOCAL_CLIENT, openSession } from "../lib/session.ts";

async function ask(io: IO, question: string, hidden: boolean, flagHint: string): Promise<string> {
  if (!io.prompt) throw new CliError(`no terminal to ask on: pass ${flagHint}`, EXIT.usage);
  return (await io.prompt(question, { hidden })).trim();
}

export function registerLogin(program: Command, io: IO): void {
  program
    .command("login")
    .description("Log in and save the token to $XDG_CONFIG_HOME/gateway/credentials.json (mode 0600)")
    .option("--email <email>", "account email (asked for when omitted)")
    .option("--password-stdin", "read the password from standard input instead of asking")
    .option("--config <file>", "config file, as for `gateway serve`")
    .action(async (options: { email?: string; passwordStdin?: boolean; config?: string }) => {
      const email = options.email ?? (await ask(io, "Email: ", false, "--email"));
      const password = options.passwordStdin
        ? (await io.readStdin()).replace(/\r?\n$/, "")
        : await ask(io, "Password: ", true, "--password-stdin");
      if (!email || !password) throw new CliError("an email and a password are both needed", EXIT.usage);
      const session = await openSession(io, options.config);
      try {
        const issued = await session.services.auth.login({ email, password }, session.ctx, LOCAL_CLIENT);
        const caller = session.services.auth.callerOf(issued.user);
        const expiresAt = new Date(Date.now() + issued.expires_in * 1000).toISOString();
        const path = saveCredentials(io.env, {
          access_token: issued.access_token,
          expires_at: expiresAt,
          email: issued.user.email,
        });
        io.stdout(
          `Logged in as ${issued.user.email} (${caller.plan} plan). Token saved to ${path}, valid until ${expiresAt}.\n`,
        );
      } finally {
        await session.close();
      }
    });
}
