import { type Command, InvalidArgumentError } from "commander";
import { latencyOf, latencyTable } from "../../src/core/config/parsers.ts";
import { createLogger } from "../../src/core/logger.ts";
import { startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import { type IO, logSinkOf } from "../lib/io.ts";
import { untilStopped } from "../lib/wait.ts";

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535)
    throw new InvalidArgumentError("must be a port number from 0 to 65535");
  return n;
}

function latency(value: string): number | Record<string, number> {
  try {
    return latencyOf(latencyTable(value));
  } catch (error) {
    throw new InvalidArgumentError(`must be ${(error as Error).message}`);
  }
}

/** Runs one reference backend until SIGTERM/SIGINT, as docker-compose and the tests start them. */
async function runUntilStopped(io: IO, name: string, start: () => Promise<RunningService>): Promise<void> {
  const logger = createLogger("info", logSinkOf(io));
  const service = await start();
  const wait = untilStopped(io);
  logger.info(`reference ${name} listening`, {
    url: service.url,
    ...(service.grpcUrl === undefined ? {} : { grpc_url: service.grpcUrl }),
  });
  const signal = await wait.stopped;
  wait.dispose();
  logger.info("shutting down", { signal });
  await service.stop();
}

export function registerReference(program: Command, io: IO): void {
  const reference = program
    .command("reference")
    .description("Run a reference (demo) backend on its own: users or aggregator");
  reference
    .command("users")
    .description("The reference Users service (bun:sqlite, argon2id passwords, seeded demo users)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 = any free port)", port, 8081)
    .option("--database <path>", 'SQLite file, or ":memory:"', ":memory:")
    .action((options: { host: string; port: number; database: string }) =>
      runUntilStopped(io, "users", () =>
        startUsersService({ hostname: options.host, port: options.port, database: options.database }),
      ),
    );
  reference
    .command("aggregator")
    .description("The reference Aggregator (deterministic catalog over demo marketplaces)")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0 = any free port)", port, 8082)
    .option("--grpc-port <port>", "also serve gRPC on this port (0 = any free port)", port)
    .option(
      "--latency <ms>",
      "each marketplace's simulated latency: ms for all, or name=ms pairs (shopnow=50,megamart=300)",
      latency,
      0,
    )
    .action(
      (options: {
        host: string;
        port: number;
        grpcPort?: number;
        latency: number | Record<string, number>;
      }) =>
        runUntilStopped(io, "aggregator", () =>
          startAggregatorService({
            hostname: options.host,
            port: options.port,
            latencyMs: options.latency,
            ...(options.grpcPort === undefined ? {} : { grpcPort: options.grpcPort }),
          }),
        ),
    );
}
