import { ACCESS_TTL_MAX_SECONDS, REFRESH_TTL_MAX_SECONDS } from "../../models/auth.ts";
import type { LogLevel } from "../logger.ts";
import { TrustedProxies } from "../security/client-ip.ts";
import {
  aggregatorUrl,
  bearerToken,
  boolean,
  integer,
  latencyTable,
  list,
  oneOf,
  type Parser,
  publicOrigin,
  secret,
  text,
  url,
} from "./parsers.ts";

/**
 * Every setting of the gateway, once: the config-file key, env var, flag, default and meaning.
 * The loader, `gateway serve --help` and the tables of README.md and docs/cli.md are all made from this
 * list (`npm run docs:config` rewrites the tables; a test fails while they are stale).
 */
export interface Setting<T> {
  env: string;
  flag: string;
  default: T | undefined;
  /** Markdown, shown in the docs and (without backticks) in `--help`; the default and range are added by them. */
  description: string;
  parse: Parser<T>;
  /** Never echoed back in errors or logs. */
  sensitive?: boolean;
}

// D keeps whether a default exists in the type, so `Settings` knows which keys are optional.
function setting<T, D extends T | undefined>(s: Setting<T> & { default: D }): Setting<T> & { default: D } {
  return s;
}

export const settings = {
  host: setting({
    env: "GATEWAY_HOST",
    flag: "--host",
    default: "0.0.0.0",
    description: "Address to listen on",
    parse: text,
  }),
  port: setting({
    env: "GATEWAY_PORT",
    flag: "--port",
    default: 8080,
    description: "Port to listen on (0 = any free port; the startup line prints the real URL)",
    parse: integer(0, 65535),
  }),
  usersUrl: setting<string, undefined>({
    env: "GATEWAY_USERS_URL",
    flag: "--users-url",
    default: undefined,
    description: "Base URL of the Users service (required unless `--demo`)",
    parse: url("http", "https"),
  }),
  aggregatorUrl: setting<string, undefined>({
    env: "GATEWAY_AGGREGATOR_URL",
    flag: "--aggregator-url",
    default: undefined,
    description:
      "URL of the Aggregator: `http(s)://` for HTTP/JSON, `grpc://` or `grpcs://` (TLS) for gRPC (required unless `--demo`)",
    parse: aggregatorUrl,
  }),
  jwtKeys: setting<string, undefined>({
    env: "GATEWAY_JWT_KEYS",
    flag: "--jwt-keys",
    default: undefined,
    description:
      "Key ring for access tokens (EdDSA/ES256): a directory of JWK files or one JWK Set file, reloaded on SIGHUP and on change (`gateway keys generate`; `--demo` generates one per start)",
    parse: text,
  }),
  jwtSecret: setting<string, undefined>({
    env: "GATEWAY_JWT_SECRET",
    flag: "--jwt-secret",
    default: undefined,
    description:
      "HS256 signing secret, at least 32 bytes, for compatibility only: instead of `GATEWAY_JWT_KEYS`, never with it",
    parse: secret(32),
    sensitive: true,
  }),
  jwtIssuer: setting<string, undefined>({
    env: "GATEWAY_JWT_ISSUER",
    flag: "--jwt-issuer",
    default: undefined,
    description:
      "`iss` of issued tokens, required on verify (default: `GATEWAY_PUBLIC_URL` when set, else `gateway`)",
    parse: text,
  }),
  publicUrl: setting<string, undefined>({
    env: "GATEWAY_PUBLIC_URL",
    flag: "--public-url",
    default: undefined,
    description:
      "The gateway's public origin (`https://`, or `http://` on loopback): the issuer, OpenAPI `servers`, the `/.well-known/oauth-authorization-server` URLs (404 without it)",
    parse: publicOrigin,
  }),
  jwtAudience: setting({
    env: "GATEWAY_JWT_AUDIENCE",
    flag: "--jwt-audience",
    default: "gateway",
    description: "`aud` of issued tokens, required on verify",
    parse: text,
  }),
  jwtTtl: setting({
    env: "GATEWAY_JWT_TTL",
    flag: "--jwt-ttl",
    default: 900,
    description: "Lifetime of issued tokens, seconds",
    parse: integer(60, ACCESS_TTL_MAX_SECONDS),
  }),
  refreshTtl: setting({
    env: "GATEWAY_REFRESH_TTL",
    flag: "--refresh-ttl",
    default: 2_592_000,
    description:
      "Lifetime of a refresh token, seconds; each refresh issues a new one with a new lifetime (sliding)",
    parse: integer(60, REFRESH_TTL_MAX_SECONDS),
  }),
  sessionMaxAge: setting({
    env: "GATEWAY_SESSION_MAX_AGE",
    flag: "--session-max-age",
    default: 7_776_000,
    description: "Longest a session lasts from its login, seconds, however often it is refreshed",
    parse: integer(60, REFRESH_TTL_MAX_SECONDS),
  }),
  refreshGrace: setting({
    env: "GATEWAY_REFRESH_GRACE",
    flag: "--refresh-grace",
    default: 10,
    description:
      "Seconds after a refresh during which the old refresh token may be sent once more and gets the same new pair (0 = never)",
    parse: integer(0, 300),
  }),
  userCacheTtl: setting({
    env: "GATEWAY_USER_CACHE_TTL",
    flag: "--user-cache-ttl",
    default: 30,
    description:
      "Seconds a user's subscription may be reused before asking the Users service again (0 = always ask)",
    parse: integer(0, 3600),
  }),
  usersTimeoutMs: setting({
    env: "GATEWAY_USERS_TIMEOUT_MS",
    flag: "--users-timeout-ms",
    default: 2000,
    description: "Timeout of one Users service call, ms",
    parse: integer(1, 60_000),
  }),
  aggregatorTimeoutMs: setting({
    env: "GATEWAY_AGGREGATOR_TIMEOUT_MS",
    flag: "--aggregator-timeout-ms",
    default: 5000,
    description: "Timeout of one Aggregator call, ms",
    parse: integer(1, 120_000),
  }),
  logLevel: setting<LogLevel, "info">({
    env: "GATEWAY_LOG_LEVEL",
    flag: "--log-level",
    default: "info",
    description: "`debug`, `info`, `warn` or `error`",
    parse: oneOf("debug", "info", "warn", "error"),
  }),
  logFormat: setting<"json" | "pretty", "json">({
    env: "GATEWAY_LOG_FORMAT",
    flag: "--log-format",
    default: "json",
    description: "`json` (one object per line) or `pretty` (for humans at a terminal)",
    parse: oneOf("json", "pretty"),
  }),
  adminPort: setting<number, undefined>({
    env: "GATEWAY_ADMIN_PORT",
    flag: "--admin-port",
    default: undefined,
    description: "Serve /metrics on this port (same host); without it /metrics is on the public port",
    parse: integer(0, 65535),
  }),
  metricsToken: setting<string, undefined>({
    env: "GATEWAY_METRICS_TOKEN",
    flag: "--metrics-token",
    default: undefined,
    description: "Bearer token /metrics requires, at least 16 bytes (without it /metrics is open)",
    parse: bearerToken(16),
    sensitive: true,
  }),
  demo: setting({
    env: "GATEWAY_DEMO",
    flag: "--demo",
    default: false,
    description: "Start the reference backends on loopback and use them for any backend URL not given",
    parse: boolean,
  }),
  demoTransport: setting<"http" | "grpc", "http">({
    env: "GATEWAY_DEMO_TRANSPORT",
    flag: "--demo-transport",
    default: "http",
    description: "Demo mode: how the gateway talks to the reference Aggregator it starts, `http` or `grpc`",
    parse: oneOf("http", "grpc"),
  }),
  demoLatency: setting({
    env: "GATEWAY_DEMO_LATENCY",
    flag: "--demo-latency",
    default: "shopnow=50,megamart=300,pricehunter=1200",
    description:
      "Demo mode: each reference marketplace's simulated latency, ms (one number for all, or `name=ms` pairs), so `/search/stream` shows results arriving",
    parse: latencyTable,
  }),
  dataDir: setting<string, undefined>({
    env: "GATEWAY_DATA_DIR",
    flag: "--data-dir",
    default: undefined,
    description: "Demo mode: directory for the reference Users database (default: in memory)",
    parse: text,
  }),
  deadlineMs: setting({
    env: "GATEWAY_DEADLINE_MS",
    flag: "--deadline-ms",
    default: 5000,
    description: "Deadline of one client request, ms: every backend call takes its timeout from what is left",
    parse: integer(1, 120_000),
  }),
  streamHeartbeatMs: setting({
    env: "GATEWAY_STREAM_HEARTBEAT_MS",
    flag: "--stream-heartbeat-ms",
    default: 15_000,
    description:
      "How often `/search/stream` sends a `: heartbeat` comment while it waits, ms (below the 30 s idle timeout of a connection)",
    parse: integer(10, 25_000),
  }),
  retries: setting({
    env: "GATEWAY_RETRIES",
    flag: "--retries",
    default: 1,
    description:
      "Retries of a failed backend call (connect error, 502/503, timeout), within the deadline and a 20% budget",
    parse: integer(0, 5),
  }),
  breakerFailures: setting({
    env: "GATEWAY_BREAKER_FAILURES",
    flag: "--breaker-failures",
    default: 5,
    description:
      "Consecutive failures that open a backend's circuit (it also opens at >= 50% failures of >= 20 calls in 10 s)",
    parse: integer(1, 1000),
  }),
  breakerOpenMs: setting({
    env: "GATEWAY_BREAKER_OPEN_MS",
    flag: "--breaker-open-ms",
    default: 10_000,
    description: "How long an open circuit answers 503 at once before letting one probe through, ms",
    parse: integer(100, 600_000),
  }),
  cacheTtl: setting({
    env: "GATEWAY_CACHE_TTL",
    flag: "--cache-ttl",
    default: 60,
    description: "Seconds a search answer is served from cache (0 disables the cache)",
    parse: integer(0, 86_400),
  }),
  cacheMaxEntries: setting({
    env: "GATEWAY_CACHE_MAX_ENTRIES",
    flag: "--cache-max-entries",
    default: 10_000,
    description: "In-process search cache: most entries",
    parse: integer(1, 10_000_000),
  }),
  cacheMaxBytes: setting({
    env: "GATEWAY_CACHE_MAX_BYTES",
    flag: "--cache-max-bytes",
    // The hit ratio the old 64 MiB LRU had, at a quarter of its memory (docs/performance.md, "Cache admission").
    default: 16 * 1024 * 1024,
    description:
      "In-process search cache: most bytes, counted as the heap an entry holds (its strings at 1 or 2 bytes a char, plus 320 per entry)",
    parse: integer(1024, 16 * 1024 * 1024 * 1024),
  }),
  cacheAdmission: setting<"tinylfu" | "lru", "tinylfu">({
    env: "GATEWAY_CACHE_ADMISSION",
    flag: "--cache-admission",
    default: "tinylfu",
    description:
      "In-process search cache, once full: `tinylfu` keeps a new answer only if it is asked for more often than the one it would replace (W-TinyLFU); `lru` keeps every new answer and drops the least recently used",
    parse: oneOf("tinylfu", "lru"),
  }),
  staleTtl: setting({
    env: "GATEWAY_STALE_TTL",
    flag: "--stale-ttl",
    default: 600,
    description:
      "Seconds past its TTL a cached search may still be served, marked STALE, when the Aggregator fails",
    parse: integer(0, 86_400),
  }),
  userStaleTtl: setting({
    env: "GATEWAY_USER_STALE_TTL",
    flag: "--user-stale-ttl",
    default: 300,
    description: "Seconds past its TTL a cached user may still be used when the Users service fails",
    parse: integer(0, 86_400),
  }),
  upstreamMaxBytes: setting({
    env: "GATEWAY_UPSTREAM_MAX_BYTES",
    flag: "--upstream-max-bytes",
    default: 2 * 1024 * 1024,
    description: "Largest backend answer read; a bigger one is a 502",
    parse: integer(1024, 1024 * 1024 * 1024),
  }),
  drainDelayMs: setting({
    env: "GATEWAY_DRAIN_DELAY_MS",
    flag: "--drain-delay-ms",
    default: 0,
    description:
      "On SIGTERM/SIGINT: keep accepting for this long while /readyz says 503, so a load balancer can notice, ms",
    parse: integer(0, 600_000),
  }),
  drainTimeoutMs: setting({
    env: "GATEWAY_DRAIN_TIMEOUT_MS",
    flag: "--drain-timeout-ms",
    default: 10_000,
    description: "On SIGTERM/SIGINT: longest wait for requests in flight before closing, ms",
    parse: integer(0, 600_000),
  }),
  corsOrigins: setting<string[], undefined>({
    env: "GATEWAY_CORS_ORIGINS",
    flag: "--cors-origins",
    default: undefined,
    description:
      "Browser origins allowed to call the API (comma-separated, e.g. `https://app.example.com`; `*` = any)",
    parse: list("origins like https://app.example.com", (entry) => {
      if (entry !== "*" && !/^https?:\/\/[^/\s]+$/.test(entry))
        throw new Error(`"${entry}" is not an origin`);
    }),
  }),
  corsCredentials: setting({
    env: "GATEWAY_CORS_CREDENTIALS",
    flag: "--cors-credentials",
    default: false,
    description: "Let allowed origins send credentials (cookies); bearer tokens need no credentials mode",
    parse: boolean,
  }),
  trustProxy: setting<string[], undefined>({
    env: "GATEWAY_TRUST_PROXY",
    flag: "--trust-proxy",
    default: undefined,
    description:
      "Proxies whose `X-Forwarded-For` is believed (IPs, CIDRs, `loopback`, `private`); without it the client IP is the socket's",
    parse: list("IP addresses or CIDRs", (entry) => new TrustedProxies([entry])),
  }),
  trustProxyUnsafe: setting({
    env: "GATEWAY_TRUST_PROXY_UNSAFE",
    flag: "--trust-proxy-unsafe",
    default: false,
    description:
      "Let `GATEWAY_TRUST_PROXY` name public addresses (refused at start otherwise: anyone there could forge the header)",
    parse: boolean,
  }),
  redisUrl: setting<string, undefined>({
    env: "GATEWAY_REDIS_URL",
    flag: "--redis-url",
    default: undefined,
    description:
      "Redis shared by every instance for limits, the search cache and sessions (`redis://` or `rediss://`); without it all three are per process",
    parse: url("redis", "rediss"),
    sensitive: true,
  }),
  redisPrefix: setting({
    env: "GATEWAY_REDIS_PREFIX",
    flag: "--redis-prefix",
    default: "gateway:",
    description: "Prefix of every Redis key the gateway writes",
    parse: text,
  }),
  redisFailure: setting<"open" | "closed", "open">({
    env: "GATEWAY_REDIS_FAILURE",
    flag: "--redis-failure",
    default: "open",
    description: "When Redis fails: `open` falls back to per-process limits, `closed` answers 503",
    parse: oneOf("open", "closed"),
  }),
  redisTimeoutMs: setting({
    env: "GATEWAY_REDIS_TIMEOUT_MS",
    flag: "--redis-timeout-ms",
    default: 100,
    description: "Longest wait for one Redis command before the failure policy applies, ms",
    parse: integer(1, 10_000),
  }),
} as const;

export type SettingKey = keyof typeof settings;
type ValueOf<K extends SettingKey> = (typeof settings)[K] extends Setting<infer T> ? T : never;

/** Settings whose default is undefined stay optional after loading. */
export type Settings = {
  [K in SettingKey as undefined extends (typeof settings)[K]["default"] ? never : K]: ValueOf<K>;
} & {
  [K in SettingKey as undefined extends (typeof settings)[K]["default"] ? K : never]?: ValueOf<K>;
};

/** `GATEWAY_CONFIG` names the file; it is read before the others, so it is not part of the list above. */
export const configFileSetting = {
  env: "GATEWAY_CONFIG",
  flag: "--config",
  description:
    "A JSON or TOML file (TOML if the name ends in `.toml`) holding any of these settings by key (e.g. `usersUrl`) plus `plans` and `login`",
} as const;
