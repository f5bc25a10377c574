import { Elysia } from "elysia";
import { OpenStreams } from "./api/open-streams.ts";
import { bodyLimit } from "./api/plugins/body-limit.ts";
import { pipeline } from "./api/plugins/pipeline.ts";
import { problems } from "./api/plugins/problems.ts";
import { docsRoutes } from "./api/routes/docs.ts";
import { healthRoutes, type Lifecycle } from "./api/routes/health.ts";
import { loginRoutes } from "./api/routes/login.ts";
import { logoutRoutes } from "./api/routes/logout.ts";
import { metricsRoutes } from "./api/routes/metrics.ts";
import { profileRoutes } from "./api/routes/profile.ts";
import { searchRoutes } from "./api/routes/search.ts";
import { searchStreamRoutes } from "./api/routes/search-stream.ts";
import { tokenRoutes } from "./api/routes/token.ts";
import { wellKnownRoutes } from "./api/routes/well-known.ts";
import type { Logger } from "./core/logger.ts";
import { TrustedProxies } from "./core/security/client-ip.ts";
import type { Services } from "./services/container.ts";
import { VERSION } from "./version.ts";

export interface AppOptions {
  services: Services;
  logger: Logger;
  bodyLimitBytes?: number;
  lifecycle?: Lifecycle;
  /** The event streams the drain ends (server.ts); an app of its own otherwise. */
  openStreams?: OpenStreams;
}

/** The whole HTTP surface; `app.handle(request)` runs it in-process, `server.ts` puts it on a socket. */
export function createApp({
  services,
  logger,
  bodyLimitBytes,
  lifecycle = { draining: false },
  openStreams = new OpenStreams(),
}: AppOptions) {
  const trusted = new TrustedProxies(services.config.trustProxy ?? []);
  return (
    // Elysia otherwise looks for the path from the 12th character on, so `Host: x` made /abcd/metrics
    // route as /metrics: the path is found after `http://` instead, whatever the host's length.
    new Elysia({ name: "gateway", handler: { standardHostname: false } })
      .use(
        pipeline({
          logger,
          metrics: services.metrics,
          tracer: services.tracer,
          cors: { origins: services.config.corsOrigins ?? [], credentials: services.config.corsCredentials },
          deadlineMs: services.config.deadlineMs,
          ...(bodyLimitBytes === undefined ? {} : { bodyLimitBytes }),
        }),
      )
      .use(problems(logger, services.metrics))
      .use(bodyLimit(bodyLimitBytes))
      .use(docsRoutes(VERSION, services.config.publicUrl))
      .use(healthRoutes(services, lifecycle))
      // With an admin port, server.ts serves /metrics there instead.
      .use(
        services.config.adminPort === undefined
          ? metricsRoutes(services.metrics, services.config.metricsToken)
          : new Elysia(),
      )
      .use(wellKnownRoutes(services.keys, services.config.publicUrl))
      .use(loginRoutes(services.auth, trusted))
      .use(tokenRoutes(services.sessions, services.auth, trusted))
      .use(logoutRoutes(services.auth, services.sessions))
      .use(profileRoutes(services.auth, services.limiter))
      .use(searchRoutes(services.auth, services.limiter, services.search))
      .use(
        searchStreamRoutes(services.auth, services.limiter, services.search, services.streams, {
          heartbeatMs: services.config.streamHeartbeatMs,
          logger,
          open: openStreams,
        }),
      )
  );
}

export type GatewayApp = ReturnType<typeof createApp>;
