import { TokenService } from "../../src/core/security/tokens.ts";
import { DEMO_USERS } from "../../src/reference/users/seed.ts";
import type { ReadyConfig, Services } from "../../src/services/container.ts";

/** A stack (or anything holding the services), the services, or a TokenService of its own. */
export type TokenSource = { services: Pick<Services, "tokens"> } | Pick<Services, "tokens">;

/**
 * A token for a reference user, minted by the gateway's own TokenService: what a login would hand out,
 * without the argon2 check, the login limits and the Users call. Tests whose subject is not login use
 * this, so that a slow password hash on a loaded machine cannot eat into the deadline they are about.
 */
export async function tokenFor(source: TokenSource, who: { email: string }): Promise<string> {
  const user = DEMO_USERS.find((demo) => demo.email === who.email);
  if (!user) throw new Error(`${who.email} is not a reference user`);
  const tokens = "services" in source ? source.services.tokens : source.tokens;
  return (await tokens.issue(user.id)).token;
}

/**
 * The TokenService a gateway with this config builds, for a gateway out of reach (another process):
 * its tokens are accepted there because they share secret, issuer, audience and TTL.
 */
export function tokensOf(config: ReadyConfig): Pick<Services, "tokens"> {
  if (config.jwtSecret === undefined) throw new Error("tokensOf needs a gateway configured with a jwtSecret");
  return {
    tokens: new TokenService({
      secret: config.jwtSecret,
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ttlSeconds: config.jwtTtl,
    }),
  };
}
