import { join } from "node:path";
import type { GatewayConfig } from "../../src/core/config/load.ts";
import type { KeyRing } from "../../src/core/security/key-ring.ts";
import { type MarketplaceOptions, startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { DEMO_USERS, startUsersService } from "../../src/reference/users/index.ts";
import type { ReadyConfig } from "../../src/services/container.ts";

export { DEMO_USERS };

export interface DemoStack {
  config: ReadyConfig;
  /** The reference backends this process started (empty when every URL was given). */
  started: { name: string; service: RunningService }[];
  stop(): Promise<void>;
}

/**
 * Starts the reference backends on loopback for each backend URL the config lacks, so demo traffic takes
 * exactly the production path: real HTTP (or gRPC, with `demoTransport`), the same clients, the same
 * validation.
 */
/**
 * `keys` signs tokens when the config names neither a key ring nor a secret. `latencyMs` is the
 * reference marketplaces' simulated latency: `gateway serve --demo` passes the `demoLatency` setting so
 * the stream shows shops answering one after another; one-off commands pass none and answer at once.
 */
export async function startDemoBackends(
  config: GatewayConfig,
  keys: () => KeyRing,
  latencyMs?: MarketplaceOptions["latencyMs"],
): Promise<DemoStack> {
  const started: DemoStack["started"] = [];
  const stop = async () => {
    await Promise.all(started.map(({ service }) => service.stop()));
  };
  try {
    let usersUrl = config.usersUrl;
    if (!usersUrl) {
      const database = config.dataDir ? join(config.dataDir, "users.sqlite") : ":memory:";
      const service = await startUsersService({ hostname: "127.0.0.1", port: 0, database });
      started.push({ name: "users", service });
      usersUrl = service.url;
    }
    let aggregatorUrl = config.aggregatorUrl;
    if (!aggregatorUrl) {
      const grpc = config.demoTransport === "grpc";
      const service = await startAggregatorService({
        hostname: "127.0.0.1",
        port: 0,
        ...(grpc ? { grpcPort: 0 } : {}),
        ...(latencyMs === undefined ? {} : { latencyMs }),
      });
      started.push({ name: "aggregator", service });
      aggregatorUrl = (grpc ? service.grpcUrl : undefined) ?? service.url;
    }
    return {
      config: {
        ...config,
        usersUrl,
        aggregatorUrl,
        ...(config.jwtKeys === undefined && config.jwtSecret === undefined ? { demoKeys: keys() } : {}),
      },
      started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const DEMO_PREMIUM = DEMO_USERS.find((user) => user.email === "premium@example.com") ?? DEMO_USERS[0];
