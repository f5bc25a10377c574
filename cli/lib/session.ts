import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { loadConfig } from "../../src/core/config/load.ts";
import { settings } from "../../src/core/config/settings.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { generateJwk } from "../../src/core/security/key-gen.ts";
import { type KeyRing, keyRingOf, loadKeyRing } from "../../src/core/security/key-ring.ts";
import type { CallContext } from "../../src/services/call-context.ts";
import { createServices, type Services } from "../../src/services/container.ts";
import { configDir, loadCredentials, writePrivate } from "./credentials.ts";
import { DEMO_PREMIUM, startDemoBackends } from "./demo.ts";
import { announceInProcess } from "./gateway-url.ts";
import { CliError, EXIT, type IO } from "./io.ts";

/** Login protection keys failures by client address; a terminal user is one local client. */
export const LOCAL_CLIENT = "local";

/** The gateway's own services, run in this process for one command: the same code the server runs. */
export interface Session {
  services: Services;
  /** True when the reference backends were started for this command. */
  demo: boolean;
  ctx: CallContext;
  close(): Promise<void>;
}

/**
 * A key ring that outlives one command, so a token saved by `gateway login` in demo mode still verifies
 * on the next command. Only used when neither keys nor a secret are set and the backends are the
 * in-process demo; a file that does not load (hand-edited, an older format) is replaced.
 */
function localDemoKeys(env: IO["env"]): () => KeyRing {
  return () => {
    const path = join(configDir(env), "demo-keys.json");
    try {
      return loadKeyRing(path);
    } catch {
      const jwk = generateJwk("EdDSA", "active");
      writePrivate(path, `${JSON.stringify({ keys: [jwk] }, null, 2)}\n`);
      return keyRingOf([jwk], path);
    }
  };
}

export async function openSession(io: IO, configFile?: string): Promise<Session> {
  // Demo is assumed first so that missing URLs pick the reference backends instead of failing.
  const config = loadConfig({ flags: { demo: true, config: configFile }, env: io.env });
  // Real users (a Users URL) need the real secret; only the reference Users service has demo users.
  const demo = !config.usersUrl;
  if (!demo && config.jwtKeys === undefined && config.jwtSecret === undefined) {
    throw new CliError(
      `set ${settings.jwtKeys.env} to the gateway's key ring (or ${settings.jwtSecret.env} to its HS256 secret): one-off commands sign and verify tokens like the server`,
      EXIT.usage,
    );
  }
  announceInProcess(io, demo);
  const stack = await startDemoBackends(config, localDemoKeys(io.env));
  const requestId = `cli-${randomBytes(8).toString("hex")}`;
  const services = createServices(stack.config, silentLogger);
  return {
    services,
    demo,
    ctx: { requestId, deadline: Date.now() + stack.config.deadlineMs },
    close: async () => {
      services.close();
      await stack.stop();
    },
  };
}

/** The bearer token to act with: the saved one, or in demo mode the demo premium user's. */
export async function bearerToken(session: Session, io: IO): Promise<string> {
  const stored = loadCredentials(io.env);
  if (stored) {
    if (Date.parse(stored.expires_at) <= Date.now()) {
      throw new CliError(`the saved token expired at ${stored.expires_at}; run \`gateway login\``, EXIT.auth);
    }
    return stored.access_token;
  }
  if (!session.demo || !DEMO_PREMIUM) throw new CliError("not logged in: run `gateway login`", EXIT.auth);
  io.stderr(`(not logged in: using the demo user ${DEMO_PREMIUM.email}; \`gateway login\` to choose)\n`);
  const issued = await session.services.auth.login(
    { email: DEMO_PREMIUM.email, password: DEMO_PREMIUM.password },
    session.ctx,
    LOCAL_CLIENT,
  );
  return issued.access_token;
}
