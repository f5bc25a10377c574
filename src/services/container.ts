import type { GatewayConfig } from "../core/config/load.ts";
import type { Logger } from "../core/logger.ts";
import { GatewayMetrics } from "../core/metrics/gateway-metrics.ts";
import type { KeyRing } from "../core/security/key-ring.ts";
import type { KeyRingHolder } from "../core/security/key-ring-holder.ts";
import { TokenService } from "../core/security/tokens.ts";
import { Tracer } from "../core/tracing/tracer.ts";
import type { CacheStore } from "../stores/cache-store.ts";
import { FailoverLimitStore } from "../stores/failover-limit-store.ts";
import type { LimitStore } from "../stores/limit-store.ts";
import { MemoryCacheStore } from "../stores/memory-cache-store.ts";
import { MemoryLimitStore } from "../stores/memory-limit-store.ts";
import { RedisCacheStore } from "../stores/redis-cache-store.ts";
import { RedisConnection } from "../stores/redis-connection.ts";
import { RedisLimitStore } from "../stores/redis-limit-store.ts";
import { VERSION } from "../version.ts";
import { type AggregatorClient, createAggregatorClient } from "./aggregator/index.ts";
import { AuthService } from "./auth-service.ts";
import { Limiter } from "./limiter.ts";
import { LoginGuard } from "./login-guard.ts";
import { LoginSlots } from "./login-slots.ts";
import { CircuitBreaker } from "./resilience/circuit-breaker.ts";
import { RetryBudget } from "./resilience/retry-budget.ts";
import { SearchCache } from "./search-cache.ts";
import { CURSOR_TTL_MS, SearchCursors } from "./search-cursor.ts";
import { SearchService } from "./search-service.ts";
import { SearchStreams } from "./search-stream.ts";
import { createSessionParts } from "./sessions/create.ts";
import type { SessionService } from "./sessions/session-service.ts";
import { tokenKeys } from "./token-keys.ts";
import { UserCache } from "./user-cache.ts";
import { UsersClient } from "./users-client.ts";

/**
 * A config whose backends and token keys are known: what `loadConfig` gives outside demo mode (keys or
 * secret), or what a demo made of it (`demoKeys`, generated).
 */
export type ReadyConfig = GatewayConfig & { usersUrl: string; aggregatorUrl: string; demoKeys?: KeyRing };

export interface Services {
  config: ReadyConfig;
  users: UsersClient;
  aggregator: AggregatorClient;
  tokens: TokenService;
  /** The key ring in use (reloaded in place); /.well-known/jwks.json publishes its public keys. */
  keys: KeyRingHolder;
  auth: AuthService;
  sessions: SessionService;
  /** Where sessions and revocations live: "redis" (the fleet) or "in-process". */
  sessionScope: "redis" | "in-process";
  search: SearchService;
  /** GET /search/stream: the same aggregator, limiter and cache as `search`. */
  streams: SearchStreams;
  limiter: Limiter;
  limitStore: LimitStore;
  /** The search cache's store, for observability (size) and tests. */
  cacheStore: CacheStore;
  /** One circuit per backend; /readyz shows their state. */
  breakers: { users: CircuitBreaker; aggregator: CircuitBreaker };
  metrics: GatewayMetrics;
  tracer: Tracer;
  /** Releases timers and connections (the Redis client); the HTTP server is stopped separately. */
  close(): void;
}

/** Redis when configured (behind its failure policy), else in-process counters. */
export function createLimitStore(
  config: GatewayConfig,
  logger: Logger,
  redis?: RedisConnection,
  clock: () => number = Date.now,
): LimitStore {
  if (!redis) return new MemoryLimitStore(undefined, clock);
  const shared = new RedisLimitStore(redis, config.redisPrefix);
  return new FailoverLimitStore(shared, new MemoryLimitStore(undefined, clock), config.redisFailure, logger);
}

/**
 * Shared through Redis when configured (a Redis failure is a cache miss), else in-process with the
 * configured admission. Redis gets no admission filter (docs/decisions.md, "Search cache").
 */
function createCacheStore(config: GatewayConfig, clock: () => number, redis?: RedisConnection): CacheStore {
  return redis
    ? new RedisCacheStore(redis, config.redisPrefix)
    : new MemoryCacheStore(config.cacheMaxEntries, config.cacheMaxBytes, clock, {
        admission: config.cacheAdmission,
      });
}

function createSearchCache(
  config: GatewayConfig,
  logger: Logger,
  store: CacheStore,
  clock: () => number,
): SearchCache {
  let lastWarn = 0;
  return new SearchCache(store, {
    ttlMs: config.cacheTtl * 1000,
    staleMs: config.staleTtl * 1000,
    clock,
    onError: (error) => {
      if (Date.now() - lastWarn < 10_000) return;
      lastWarn = Date.now();
      logger.warn("search cache unavailable: answering from the Aggregator", { error: error as Error });
    },
  });
}

/** Each backend client gets its own breaker and retry budget: one failing backend must not pause the other. */
function resilience(name: string, config: GatewayConfig, clock: () => number) {
  return {
    retries: config.retries,
    maxBodyBytes: config.upstreamMaxBytes,
    budget: new RetryBudget(undefined, undefined, undefined, clock),
    breaker: new CircuitBreaker(
      name,
      { failures: config.breakerFailures, openMs: config.breakerOpenMs },
      clock,
    ),
  };
}

/** Builds the one set of clients and services that both the HTTP server and the CLI use. */
export interface ServiceExtras {
  /** A limit store to use instead of the configured one (benchmarks). */
  limits?: LimitStore;
  /** Where spans go; without it nothing is recorded. */
  tracer?: Tracer;
  /**
   * The clock of what decides by elapsed time: caches, circuits, retry budgets, in-process limits (tests
   * pass a fake one to skip a TTL instead of sleeping through it). Deadlines and tokens keep the real
   * clock: they are measured against sockets and other processes.
   */
  clock?: () => number;
}

export function createServices(config: ReadyConfig, logger: Logger, extras: ServiceExtras = {}): Services {
  const tracer = extras.tracer ?? new Tracer();
  const clock = extras.clock ?? Date.now;
  // One Redis connection for everything shared: limits now, the search cache too.
  const redis = config.redisUrl ? new RedisConnection(config.redisUrl, config.redisTimeoutMs) : undefined;
  const limitStore = extras.limits ?? createLimitStore(config, logger, redis, clock);
  const metrics = new GatewayMetrics(VERSION);
  const usersOptions = { ...resilience("Users", config, clock), observe: metrics.observer("users"), tracer };
  const aggregatorOptions = {
    ...resilience("Aggregator", config, clock),
    observe: metrics.observer("aggregator"),
    tracer,
  };
  const users = new UsersClient({
    baseUrl: config.usersUrl,
    timeoutMs: config.usersTimeoutMs,
    ...usersOptions,
  });
  const aggregator = createAggregatorClient({
    baseUrl: config.aggregatorUrl,
    timeoutMs: config.aggregatorTimeoutMs,
    ...aggregatorOptions,
  });
  const signing = tokenKeys(config, logger);
  const tokens = new TokenService({
    keys: signing.keys,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    ttlSeconds: config.jwtTtl,
  });
  const guard = new LoginGuard(limitStore, config.login);
  const userCache = new UserCache(config.userCacheTtl * 1000, config.userStaleTtl * 1000, undefined, clock);
  const { maxConcurrentChecks, queueLength, queueWaitMs } = config.login;
  const loginSlots = new LoginSlots(maxConcurrentChecks, queueLength, queueWaitMs);
  const session = createSessionParts(config, logger, { tokens, users, userCache }, redis);
  const { sessions, revocations } = session;
  const auth = new AuthService(
    users,
    tokens,
    userCache,
    config.plans,
    guard,
    loginSlots,
    sessions,
    revocations,
  );
  const limiter = new Limiter(limitStore, config.plans);
  const cacheStore = createCacheStore(config, clock, redis);
  const searchCache = createSearchCache(config, logger, cacheStore, clock);
  // A cursor is stored with its cached page: it lives a day past the longest the page may be served.
  const cursorTtlMs = CURSOR_TTL_MS + (config.cacheTtl + config.staleTtl) * 1000;
  const cursors = new SearchCursors(signing.keys, clock, cursorTtlMs);
  const search = new SearchService(aggregator, limiter, searchCache, cursors);
  const streams = new SearchStreams(aggregator, limiter, searchCache, cursors);
  const breakers = { users: usersOptions.breaker, aggregator: aggregatorOptions.breaker };
  metrics.watch({
    circuits: () =>
      Object.entries(breakers).map(([name, breaker]) => [name, breaker.state] as [string, string]),
    cacheEntries: () => (cacheStore instanceof MemoryCacheStore ? cacheStore.size : undefined),
    // Streams that joined an upstream stream count as coalesced searches too.
    coalesced: () => searchCache.coalesced + streams.coalesced,
    userCacheStale: () => userCache.staleServed,
    limitFallbacks: () => (limitStore instanceof FailoverLimitStore ? limitStore.fallbacks : 0),
  });
  return {
    config,
    users,
    aggregator,
    tokens,
    keys: signing.keys,
    auth,
    sessions,
    sessionScope: session.scope,
    search,
    streams,
    limiter,
    limitStore,
    cacheStore,
    breakers,
    metrics,
    tracer,
    close: () => {
      signing.stop();
      limitStore.close();
      cacheStore.close();
      session.close();
      aggregator.close();
      redis?.close();
    },
  };
}
