import type { Command } from "commander";
import type { Profile } from "../../src/models/auth.ts";
import { Limiter } from "../../src/services/limiter.ts";
import { profileOf } from "../../src/services/profile.ts";
import { humanDuration } from "../lib/duration.ts";
import { GatewayClient } from "../lib/gateway-client.ts";
import { GATEWAY_URL_ENV, resolveGatewayUrl } from "../lib/gateway-url.ts";
import type { IO } from "../lib/io.ts";
import { printable } from "../lib/printable.ts";
import { bearerToken, openSession } from "../lib/session.ts";

type Usage = Profile["usage"]["minute"];

function usage(u: Usage, per: string): string {
  return u.limit === null
    ? "unlimited"
    : `${u.remaining} of ${u.limit} ${per} left (renews in ${humanDuration(u.reset_seconds ?? 0)})`;
}

function expiry(expiresAt: string | null, now: number): string {
  if (expiresAt === null) return "never";
  const left = (Date.parse(expiresAt) - now) / 1000;
  return left > 0 ? `${expiresAt} (in ${humanDuration(left)})` : `${expiresAt} (${humanDuration(-left)} ago)`;
}

/** The same text whether the profile came from a running gateway or from the services in-process. */
function print(io: IO, profile: Profile, json: boolean): void {
  if (json) {
    io.stdout(`${JSON.stringify(profile, null, 2)}\n`);
    return;
  }
  const { subscription, limits } = profile;
  io.stdout(
    [
      `${printable(profile.email)}  (${printable(profile.id)})`,
      `plan:          ${profile.plan}`,
      `subscription:  ${subscription.plan}, ${subscription.active ? "active" : "expired"}, expires ${expiry(subscription.expires_at, Date.now())}`,
      `limits:        up to ${limits.maxResults} results and ${limits.maxCategories} categories per search${pages(limits.maxPages)}`,
      `requests:      ${usage(profile.usage.minute, "per minute")}`,
      `searches:      ${usage(profile.usage.day, "per UTC day")}`,
      "",
    ].join("\n"),
  );
}

async function profileInProcess(io: IO, configFile?: string): Promise<Profile> {
  const session = await openSession(io, configFile);
  try {
    const token = await bearerToken(session, io);
    const caller = await session.services.auth.authenticate(`Bearer ${token}`, session.ctx);
    const decision = await session.services.limiter.check(caller, "request");
    if (!decision.allowed) throw Limiter.refusal(decision);
    return profileOf(caller, decision);
  } finally {
    await session.close();
  }
}

export function registerProfile(program: Command, io: IO): void {
  program
    .command("profile")
    .description("Show the logged-in user's profile, effective plan and limits")
    .option("--url <url>", `the gateway to ask [default $${GATEWAY_URL_ENV}, else the last one logged in to]`)
    .option("--json", "print the profile as JSON")
    .option("--config <file>", "config file, as for `gateway serve` (without a gateway URL)")
    .action(async (options: { url?: string; json?: boolean; config?: string }) => {
      const url = resolveGatewayUrl(io, options.url);
      if (url === undefined)
        return print(io, await profileInProcess(io, options.config), options.json === true);
      const client = new GatewayClient(url, io);
      const { data } = await client.authorized((authorization) =>
        client.api.profile.get({ headers: { authorization } }),
      );
      print(io, data, options.json === true);
    });
}

/** A gateway that predates paging sends no maxPages: the line then says nothing of pages. */
function pages(maxPages: number | undefined): string {
  return maxPages === undefined ? "" : `, ${maxPages} pages deep`;
}
