import type { GatewayConfig } from "../../core/config/load.ts";
import type { Logger } from "../../core/logger.ts";
import type { TokenService } from "../../core/security/tokens.ts";
import { MemorySessionStore } from "../../stores/memory-session-store.ts";
import type { RedisConnection } from "../../stores/redis-connection.ts";
import { RedisSessionStore } from "../../stores/redis-session-store.ts";
import { LocalRevocationFeed, RedisRevocationFeed } from "../../stores/revocation-feed.ts";
import type { UserCache } from "../user-cache.ts";
import type { UsersClient } from "../users-client.ts";
import { RevocationSet } from "./revocation-set.ts";
import { SessionService } from "./session-service.ts";

/** Sessions and revocations in Redis when configured (shared by the fleet), else in this process. */
export function createSessionParts(
  config: GatewayConfig,
  logger: Logger,
  deps: { tokens: TokenService; users: UsersClient; userCache: UserCache },
  redis?: RedisConnection,
) {
  const store =
    redis && config.redisUrl ? new RedisSessionStore(redis, config.redisPrefix) : new MemorySessionStore();
  const feed =
    redis && config.redisUrl
      ? new RedisRevocationFeed(redis, config.redisUrl, config.redisPrefix, logger)
      : new LocalRevocationFeed();
  const revocations = new RevocationSet();
  const sessions = new SessionService(store, feed, revocations, deps.tokens, deps.users, deps.userCache, {
    refreshTtlSeconds: config.refreshTtl,
    maxAgeSeconds: config.sessionMaxAge,
    graceSeconds: config.refreshGrace,
    accessTtlSeconds: config.jwtTtl,
  });
  // Not awaited: a start must not wait for Redis; until the snapshot arrives, what is known is empty.
  void sessions.follow();
  return {
    sessions,
    revocations,
    scope: feed.scope,
    close() {
      feed.close();
      store.close();
      revocations.close();
    },
  };
}
