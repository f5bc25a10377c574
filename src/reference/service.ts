/** A reference backend listening on a real socket, as the gateway and its end-to-end tests talk to it. */
export interface RunningService {
  url: string;
  port: number;
  /** grpc://host:port when the service also speaks gRPC (the Aggregator, when asked to). */
  grpcUrl?: string;
  stop(): Promise<void>;
}

export interface ListenOptions {
  hostname?: string;
  /** 0 (the default) lets the OS pick a free port, which keeps parallel test runs from colliding. */
  port?: number;
}

/** Anything with a fetch handler; an Elysia app qualifies, so callers need not care how it was built. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

export async function listen(app: FetchApp, options: ListenOptions = {}): Promise<RunningService> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = Bun.serve({
    hostname,
    port: options.port ?? 0,
    // Bun's development error page shows file paths and source lines to whoever caused the error.
    development: false,
    // Elysia's compiled handler reads `this`, so it must not be detached from the app.
    fetch: (request) => app.fetch(request),
  });
  const port = server.port;
  if (port === undefined) {
    await server.stop(true);
    throw new Error(`reference service did not bind a TCP port on ${hostname}`);
  }
  let stopped: Promise<void> | undefined;
  return {
    url: `http://${urlHost(hostname)}:${port}`,
    port,
    // Idempotent so test teardown and a shutdown hook can both call it; in-flight requests are dropped
    // because these backends hold no state worth draining.
    stop: () => {
      stopped ??= server.stop(true);
      return stopped;
    },
  };
}

/** The host part of a URL that reaches a socket bound to `hostname` (a wildcard is reached on loopback). */
export function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
