import { Elysia } from "elysia";
import { problems } from "./api/plugins/problems.ts";
import { metricsRoutes } from "./api/routes/metrics.ts";
import { createApp } from "./app.ts";
import { type Logger, silentLogger } from "./core/logger.ts";
import type { Services } from "./services/container.ts";

export interface RunningGateway {
  url: string;
  port: number;
  /** Where /metrics is served when GATEWAY_ADMIN_PORT is set. */
  adminUrl?: string;
  /**
   * Says "draining" on /readyz (for `delayMs` while still accepting), then stops accepting and waits up to
   * `drainMs` for requests in flight.
   */
  stop(drainMs?: number, delayMs?: number): Promise<void>;
}

export interface ServeOptions {
  services: Services;
  logger: Logger;
  host: string;
  port: number;
}

// Bun's own cap is a backstop far above the 16 KiB the body-limit plugin enforces with a proper 413.
// (A declared Content-Length over it would get Bun's bare 413, without problem+json or request id.)
const SOCKET_BODY_LIMIT = 64 * 1024 * 1024;

export function startGateway({ services, logger, host, port }: ServeOptions): RunningGateway {
  const lifecycle = { draining: false };
  const app = createApp({ services, logger, lifecycle });
  // listen() (not a bare Bun.serve) so the app knows its server, e.g. for the client's socket address.
  // Elysia turns SO_REUSEPORT on by default, which lets a second gateway silently share a busy port;
  // a port conflict must be an error instead.
  app.listen({ hostname: host, port, maxRequestBodySize: SOCKET_BODY_LIMIT, reusePort: false });
  const server = app.server;
  if (!server) throw new Error(`could not listen on ${host}:${port}`);
  const shownHost =
    host === "0.0.0.0" || host === "::" ? "localhost" : host.includes(":") ? `[${host}]` : host;
  const url = `http://${shownHost}:${server.port}`;
  const admin = startAdmin(services, host);
  return {
    url,
    port: server.port ?? port,
    ...(admin ? { adminUrl: `http://${shownHost}:${admin.port}` } : {}),
    async stop(drainMs = 10_000, delayMs = 0) {
      lifecycle.draining = true;
      if (delayMs > 0) await Bun.sleep(delayMs);
      admin?.stop(true);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = server.stop(false).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainMs);
      });
      const clean = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (!clean) {
        logger.warn("drain timeout: closing remaining connections", { drain_ms: drainMs });
        await server.stop(true);
      }
    },
  };
}

/** /metrics on its own port, so it can be firewalled apart from the public API. */
function startAdmin(services: Services, host: string) {
  const port = services.config.adminPort;
  if (port === undefined) return undefined;
  const app = new Elysia({ name: "admin" })
    .use(problems(silentLogger))
    .use(metricsRoutes(services.metrics, services.config.metricsToken));
  app.listen({ hostname: host, port, reusePort: false });
  return app.server ?? undefined;
}
