import type { GatewayConfig } from "../core/config/load.ts";
import type { Logger } from "../core/logger.ts";
import { hmacRing, type KeyRing, loadKeyRing } from "../core/security/key-ring.ts";
import { KeyRingHolder } from "../core/security/key-ring-holder.ts";
import { watchKeyRing } from "../core/security/key-ring-reload.ts";

/**
 * The ring tokens are signed with: GATEWAY_JWT_KEYS (watched for changes), else the HS256 secret, else
 * the ring a demo generated. `loadConfig` has refused a config with both or (outside demo) neither.
 */
/** What the ring is made from: a key-ring path, a secret, or the ring a demo generated. */
export type TokenKeySource = Pick<GatewayConfig, "jwtKeys" | "jwtSecret"> & {
  demoKeys?: KeyRing | undefined;
};

export function tokenKeys(config: TokenKeySource, logger: Logger): { keys: KeyRingHolder; stop(): void } {
  if (config.jwtKeys !== undefined) {
    const keys = new KeyRingHolder(loadKeyRing(config.jwtKeys));
    return { keys, stop: watchKeyRing(config.jwtKeys, keys, logger) };
  }
  const ring: KeyRing | undefined =
    config.jwtSecret !== undefined ? hmacRing(config.jwtSecret) : config.demoKeys;
  if (!ring) throw new Error("no token keys: set GATEWAY_JWT_KEYS or GATEWAY_JWT_SECRET");
  return { keys: new KeyRingHolder(ring), stop: () => undefined };
}
