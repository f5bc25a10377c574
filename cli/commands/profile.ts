import type { Command } from "commander";
import { Limiter, type Usage } from "../../src/services/limiter.ts";
import { profileOf } from "../../src/services/profile.ts";
import type { IO } from "../lib/io.ts";
import { bearerToken, openSession } from "../lib/session.ts";

function usage(u: Usage, per: string): string {
  return u.limit === null
    ? "unlimited"
    : `${u.remaining} of ${u.limit} ${per} left (renews in ${u.reset_seconds} s)`;
}

export function registerProfile(program: Command, io: IO): void {
  program
    .command("profile")
    .description("Show the logged-in user's profile, effective plan and limits")
    .option("--json", "print the profile as JSON")
    .option("--config <file>", "config file, as for `gateway serve`")
    .action(async (options: { json?: boolean; config?: string }) => {
      const session = await openSession(io, options.config);
      try {
        const token = await bearerToken(session, io);
        const caller = await session.services.auth.authenticate(`Bearer ${token}`, session.ctx);
        const decision = await session.services.limiter.check(caller, "request");
        if (!decision.allowed) throw Limiter.refusal(decision);
        const profile = profileOf(caller, decision);
        if (options.json) {
          io.stdout(`${JSON.stringify(profile, null, 2)}\n`);
          return;
        }
        const expiry = caller.subscription.expires_at ?? "never";
        io.stdout(
          [
            `${profile.email}  (${profile.id})`,
            `plan:          ${profile.plan}`,
            `subscription:  ${caller.subscription.plan}, ${caller.subscription.active ? "active" : "expired"}, expires ${expiry}`,
            `limits:        up to ${caller.limits.maxResults} results and ${caller.limits.maxCategories} categories per search`,
            `requests:      ${usage(profile.usage.minute, "per minute")}`,
            `searches:      ${usage(profile.usage.day, "per UTC day")}`,
            "",
          ].join("\n"),
        );
      } finally {
        await session.close();
      }
    });
}
