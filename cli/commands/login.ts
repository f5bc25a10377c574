import type { Command } from "commander";
import { credentialsPath, saveCredentials } from "../lib/credentials.ts";
import { GatewayClient } from "../lib/gateway-client.ts";
import { GATEWAY_URL_ENV, resolveGatewayUrl } from "../lib/gateway-url.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";
import { LOCAL_CLIENT, openSession } from "../lib/session.ts";

async function ask(io: IO, question: string, hidden: boolean, flagHint: string): Promise<string> {
  if (!io.prompt) throw new CliError(`no terminal to ask on: pass ${flagHint}`, EXIT.usage);
  return (await io.prompt(question, { hidden })).trim();
}

/** POST /login on a running gateway; the session is saved for its URL, which becomes the default. */
async function loginTo(io: IO, url: string, email: string, password: string): Promise<void> {
  const session = await new GatewayClient(url, io).login(email, password);
  io.stdout(
    `Logged in to ${url} as ${email}. Session saved to ${credentialsPath(io.env)}: the access token (valid until ${session.expires_at}) is renewed automatically until ${session.refresh_expires_at}.\n`,
  );
}

/** The gateway's own login, run in this process (no gateway URL). */
async function loginInProcess(io: IO, email: string, password: string, configFile?: string): Promise<void> {
  const session = await openSession(io, configFile);
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
}

export function registerLogin(program: Command, io: IO): void {
  program
    .command("login")
    .description("Log in and save the session to $XDG_CONFIG_HOME/gateway/credentials.json (mode 0600)")
    .option("--url <url>", `the gateway to log in to [default $${GATEWAY_URL_ENV}, else the last one]`)
    .option("--email <email>", "account email (asked for when omitted)")
    .option("--password-stdin", "read the password from standard input instead of asking")
    .option("--config <file>", "config file, as for `gateway serve` (without a gateway URL)")
    .action(async (options: { url?: string; email?: string; passwordStdin?: boolean; config?: string }) => {
      // Before any prompt: a bad URL is a usage error, not something to find out after typing a password.
      const url = resolveGatewayUrl(io, options.url);
      const email = options.email ?? (await ask(io, "Email: ", false, "--email"));
      const password = options.passwordStdin
        ? (await io.readStdin()).replace(/\r?\n$/, "")
        : await ask(io, "Password: ", true, "--password-stdin");
      if (!email || !password) throw new CliError("an email and a password are both needed", EXIT.usage);
      if (url !== undefined) await loginTo(io, url, email, password);
      else await loginInProcess(io, email, password, options.config);
    });
}
