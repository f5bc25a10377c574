import type { Command } from "commander";
import type { IO } from "../lib/io.ts";
import { bearerToken, openSession } from "../lib/session.ts";

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
        const profile = {
          id: caller.user.id,
          email: caller.user.email,
          plan: caller.plan,
          subscription: caller.subscription,
          limits: caller.limits,
        };
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
            "",
          ].join("\n"),
        );
      } finally {
        await session.close();
      }
    });
}
