import { Elysia } from "elysia";
import { OpenStreams } from "./api/open-streams.ts";
import { hostHeader } from "./api/plugins/host-header.ts";
import { problems } from "./api/plugins/problems.ts";
import { metricsRoutes } from "./api/routes/metrics.ts";
import { serveApp } from "./api/serve.ts";
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
   * `drainMs` for requests in flight. An event stream that would outlive that is ended at once with a
   * 503 `error` event (open-streams.ts).
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
  const openStreams = new OpenStreams();
  const app = createApp({ services, logger, lifecycle, openStreams });
  const server = serveApp(app, { hostname: host, port, maxRequestBodySize: SOCKET_BODY_LIMIT });
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
      openStreams.drain(Date.now() + delayMs + drainMs);
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
        logger.warn("drain timeout: closing remaining connections", {
          drain_ms: drainMs,
          in_flight: services.metrics.inFlight,
          streams_open: openStreams.size,
        });
        // A stream still open gets its 503 event rather than a cut; closing the sockets at once may
        // still lose it, which is why the drain ends such streams while it has time (DRAIN_MARGIN_MS).
        openStreams.endAll();
        await server.stop(true);
      }
    },
  };
}

/** /metrics on its own port, so it can be firewalled apart from the public API. */
function startAdmin(services: Services, host: string) {
  const port = services.config.adminPort;
  if (port === undefined) return undefined;
  const app = new Elysia({ name: "admin", handler: { standardHostname: false } })
    .use(problems(silentLogger))
    .use(hostHeader)
    .use(metricsRoutes(services.metrics, services.config.metricsToken));
  return serveApp(app, { hostname: host, port });
}
