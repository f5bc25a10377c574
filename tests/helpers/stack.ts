import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type GatewayApp } from "../../src/app.ts";
import { type GatewayConfig, loadConfig } from "../../src/core/config/load.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { Tracer } from "../../src/core/tracing/tracer.ts";
import { startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import { type RunningGateway, startGateway } from "../../src/server.ts";
import { createServices, type ReadyConfig, type Services } from "../../src/services/container.ts";

const LOOPBACK_PEER = {
  requestIP: () => ({ address: "127.0.0.1", family: "IPv4", port: 0 }),
} as unknown as NonNullable<GatewayApp["server"]>;

export const TEST_SECRET = "test-secret-that-is-at-least-32-bytes-long!";

export interface Stack {
  app: GatewayApp;
  services: Services;
  config: ReadyConfig;
  logs: string[];
  close(): Promise<void>;
}

export interface StackOptions {
  /** Flags as `gateway serve` takes them (camelCase keys); backend URLs default to fresh reference backends. */
  flags?: Record<string, unknown>;
  env?: Record<string, string>;
  tracer?: Tracer;
  /** The services' clock (see ServiceExtras.clock); a FakeClock's `now` to skip TTLs without sleeping. */
  clock?: () => number;
}

/** Real reference backends on loopback sockets, shared by a test file; close() stops them. */
export async function startBackends(): Promise<{
  users: RunningService;
  aggregator: RunningService;
  close(): Promise<void>;
}> {
  const [users, aggregator] = await Promise.all([
    startUsersService({ port: 0 }),
    startAggregatorService({ port: 0 }),
  ]);
  return {
    users,
    aggregator,
    close: async () => void (await Promise.all([users.stop(), aggregator.stop()])),
  };
}

/** The gateway app (in-process, for `app.handle`) over the given or the reference backends. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const flags = options.flags ?? {};
  const needBackends = flags.usersUrl === undefined || flags.aggregatorUrl === undefined;
  const backends = needBackends ? await startBackends() : undefined;
  const config = loadConfig({
    flags: {
      jwtSecret: TEST_SECRET,
      usersUrl: backends?.users.url,
      aggregatorUrl: backends?.aggregator.url,
      ...flags,
    },
    env: options.env ?? {},
  }) as ReadyConfig;
  const logs: string[] = [];
  const logger = createLogger("debug", (line) => logs.push(line));
  const services = createServices(config, logger, {
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = createApp({ services, logger });
  // In-process there is no socket, and an unnamed peer's X-Forwarded-For is never believed: requests
  // handled here come from a loopback client, as the CLI's and a local curl's would.
  app.server = LOOPBACK_PEER;
  return {
    app,
    services,
    config,
    logs,
    close: async () => {
      services.close();
      await backends?.close();
    },
  };
}

/**
 * Resolves once every request handled so far has been through its after-response hooks (the access log
 * line, the request metrics), which run after the caller already has the response: waiting for the
 * condition, not for a guessed number of milliseconds, holds however loaded the machine is.
 */
export async function afterResponses(stack: Stack): Promise<void> {
  while (stack.services.metrics.inFlight > 0) await Bun.sleep(1);
}

/**
 * A gateway on a real loopback socket (port 0) over the given backends, logging into `logs`: for suites
 * that talk to it the way a client would. The services come back too, for assertions and close().
 */
export function serveGateway(
  backends: { users: { url: string }; aggregator: { url: string } },
  flags: Record<string, unknown> = {},
  logs: string[] = [],
  level: "debug" | "info" = "debug",
): { gateway: RunningGateway; services: Services } {
  const config = configFor({
    usersUrl: backends.users.url,
    aggregatorUrl: backends.aggregator.url,
    ...flags,
  }) as ReadyConfig;
  const logger = createLogger(level, (line) => logs.push(line));
  const services = createServices(config, logger);
  return { gateway: startGateway({ services, logger, host: "127.0.0.1", port: 0 }), services };
}

export function configFor(flags: Record<string, unknown>): GatewayConfig {
  return loadConfig({ flags: { jwtSecret: TEST_SECRET, ...flags }, env: {} });
}

/** Writes a config file (plans, login limits, any setting) for a test and returns its path. */
export function configFile(contents: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "gateway-test-config-"));
  const path = join(dir, "gateway.json");
  writeFileSync(path, JSON.stringify(contents));
  return path;
}
