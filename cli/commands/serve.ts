import type { Command } from "commander";
import { flagUsage } from "../../src/core/config/docs.ts";
import { ConfigError, loadConfig } from "../../src/core/config/load.ts";
import { latencyOf } from "../../src/core/config/parsers.ts";
import { configFileSetting, settings } from "../../src/core/config/settings.ts";
import { createLogger } from "../../src/core/logger.ts";
import { demoKeyRing } from "../../src/core/security/key-gen.ts";
import { tracerFromEnv } from "../../src/core/tracing/from-env.ts";
import { startGateway } from "../../src/server.ts";
import { createServices } from "../../src/services/container.ts";
import { VERSION } from "../../src/version.ts";
import { demoBanner } from "../lib/banner.ts";
import { startDemoBackends } from "../lib/demo.ts";
import { CliError, EXIT, type IO, logSinkOf } from "../lib/io.ts";
import { untilStopped } from "../lib/wait.ts";

/** Descriptions are markdown for the docs; a terminal shows code spans without their backticks. */
const plain = (markdown: string) => markdown.replaceAll("`", "");

export function registerServe(program: Command, io: IO): void {
  const command = program
    .command("serve")
    .description("Start the gateway HTTP server (every flag also has an environment variable)");
  for (const setting of Object.values(settings)) {
    const fallback =
      setting.default === undefined || setting.default === false ? "" : `; default ${setting.default}`;
    const help = `${plain(setting.description)} [${setting.env}${fallback}]`;
    command.option(flagUsage(setting), help);
  }
  command.option(
    `${configFileSetting.flag} <file>`,
    `${plain(configFileSetting.description)} [${configFileSetting.env}]`,
  );
  command.action(async (flags: Record<string, unknown>) => {
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig({ flags, env: io.env });
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new CliError((error as Error).message, EXIT.usage);
    }
    const logger = createLogger(config.logLevel, logSinkOf(io), {}, config.logFormat);
    const stack = await startDemoBackends(config, demoKeyRing, latencyOf(config.demoLatency));
    const services = createServices(stack.config, logger, { tracer: tracerFromEnv(io.env, VERSION, logger) });
    let gateway: ReturnType<typeof startGateway>;
    try {
      gateway = startGateway({
        services,
        logger,
        host: config.host,
        port: config.port,
      });
    } catch (error) {
      services.close();
      await stack.stop();
      const code = (error as { code?: string }).code;
      const why =
        code === "EADDRINUSE" ? "is already in use" : `cannot be used (${(error as Error).message})`;
      throw new CliError(
        `${config.host}:${config.port} ${why}; choose another with --port or ${settings.port.env}`,
      );
    }
    const wait = untilStopped(io);
    logger.info("gateway listening", {
      url: gateway.url,
      version: VERSION,
      demo: config.demo,
      users_url: stack.config.usersUrl,
      aggregator_url: stack.config.aggregatorUrl,
      // Not "token_key": the logger hides any field whose name says token, and a kid is no secret.
      signing_key: `${services.keys.current.active.alg} ${services.keys.current.active.kid}`,
      limits: config.redisUrl ? `redis (${config.redisFailure} on failure)` : "in-process",
      sessions: services.sessionScope,
      metrics_url: `${gateway.adminUrl ?? gateway.url}/metrics`,
      metrics_port: gateway.adminUrl ? "admin" : "public",
      metrics_auth: config.metricsToken === undefined ? "none" : "token",
    });
    if (!gateway.adminUrl && config.metricsToken === undefined) {
      // Allowed (a private network may want it), but whoever reaches the API then reads the metrics too.
      logger.warn("/metrics is open to anyone on the public port", {
        fix: `set ${settings.adminPort.env} (a port the public cannot reach) or ${settings.metricsToken.env}`,
      });
    }
    if (config.demo) io.stderr(demoBanner(gateway.url, stack));
    const signal = await wait.stopped;
    wait.dispose();
    logger.info("shutting down", { signal, drain_ms: config.drainTimeoutMs, delay_ms: config.drainDelayMs });
    await gateway.stop(config.drainTimeoutMs, config.drainDelayMs);
    await services.tracer.shutdown();
    services.close();
    await stack.stop();
    logger.info("stopped");
  });
}
