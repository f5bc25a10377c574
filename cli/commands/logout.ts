import type { Command } from "commander";
import { deleteCredentials } from "../lib/credentials.ts";
import { cliErrorOf } from "../lib/errors.ts";
import { GatewayClient } from "../lib/gateway-client.ts";
import { GATEWAY_URL_ENV, resolveGatewayUrl } from "../lib/gateway-url.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";

/**
 * POST /logout, then the saved session is deleted whatever the gateway said: logging out must not
 * depend on the gateway being up. Only an answer from the gateway ends the session there, so a
 * failure to get one is still an error (exit 1), saying what was and was not done.
 */
async function logoutFrom(io: IO, url: string, all: boolean): Promise<void> {
  const client = new GatewayClient(url, io);
  if (!client.saved()) throw new CliError(`not logged in to ${url}`, EXIT.auth);
  try {
    await client.authorized((authorization) =>
      client.api.logout.post(undefined, { headers: { authorization }, query: all ? { all: true } : {} }),
    );
  } catch (error) {
    const failure = cliErrorOf(error);
    client.forget();
    // Refused as not logged in: the gateway had ended the session already, which is what was asked.
    if (failure.exitCode === EXIT.auth) {
      io.stdout(`Logged out of ${url} (the gateway had already ended that session).\n`);
      return;
    }
    throw new CliError(
      `${failure.message}; the saved session was deleted here, but the gateway still accepts it until it expires`,
      failure.exitCode,
    );
  }
  client.forget();
  io.stdout(`Logged out of ${url}${all ? ": every session of this user is ended" : ""}.\n`);
}

export function registerLogout(program: Command, io: IO): void {
  program
    .command("logout")
    .description("End the saved session on the gateway (POST /logout) and delete it")
    .option("--url <url>", `the gateway to log out of [default $${GATEWAY_URL_ENV}, else the last one]`)
    .option("--all", "end every session of the user, on every device")
    .action(async (options: { url?: string; all?: boolean }) => {
      const url = resolveGatewayUrl(io, options.url);
      if (url !== undefined) return logoutFrom(io, url, options.all === true);
      // In-process tokens have no session anywhere else: forgetting the token is the whole logout.
      if (!deleteCredentials(io.env)) throw new CliError("not logged in", EXIT.auth);
      io.stdout("Logged out (the token saved by an in-process login was deleted).\n");
    });
}
