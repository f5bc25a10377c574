import type { GatewayConfig } from "../core/config/load.ts";
import { TokenService } from "../core/security/tokens.ts";
import { type AggregatorClient, createAggregatorClient } from "./aggregator-client.ts";
import { AuthService } from "./auth-service.ts";
import { SearchService } from "./search-service.ts";
import { UserCache } from "./user-cache.ts";
import { UsersClient } from "./users-client.ts";

/** A config whose backends and secret are known: what `loadConfig` gives outside demo mode. */
export type ReadyConfig = GatewayConfig & { usersUrl: string; aggregatorUrl: string; jwtSecret: string };

export interface Services {
  config: ReadyConfig;
  users: UsersClient;
  aggregator: AggregatorClient;
  tokens: TokenService;
  auth: AuthService;
  search: SearchService;
}

/** Builds the one set of clients and services that both the HTTP server and the CLI use. */
export function createServices(config: ReadyConfig): Services {
  const users = new UsersClient({ baseUrl: config.usersUrl, timeoutMs: config.usersTimeoutMs });
  const aggregator = createAggregatorClient({
    baseUrl: config.aggregatorUrl,
    timeoutMs: config.aggregatorTimeoutMs,
  });
  const tokens = new TokenService({
    secret: config.jwtSecret,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.jwtTtl,
  });
  const auth = new AuthService(users, tokens, new UserCache(config.userCacheTtl * 1000), config.plans);
  return { config, users, aggregator, tokens, auth, search: new SearchService(aggregator) };
}
