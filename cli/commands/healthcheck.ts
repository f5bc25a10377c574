import type { Command } from "commander";
import { settings } from "../../src/core/config/settings.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";

/** For container HEALTHCHECKs: the image has no curl, the binary itself asks /healthz. */
export function registerHealthcheck(program: Command, io: IO): void {
  program
    .command("healthcheck")
    .description("Exit 0 if the gateway's /healthz answers 200, else 1 (for container health checks)")
    .option("--url <url>", `base URL of the gateway [default http://127.0.0.1:$${settings.port.env}]`)
    .option("--timeout-ms <ms>", "how long to wait", "2000")
    .action(async (options: { url?: string; timeoutMs: string }) => {
      const base = options.url ?? `http://127.0.0.1:${io.env[settings.port.env] || settings.port.default}`;
      const timeout = Number(options.timeoutMs);
      if (!Number.isInteger(timeout) || timeout < 1)
        throw new CliError("--timeout-ms must be a whole number", EXIT.usage);
      let status: number;
      try {
        const response = await fetch(`${base.replace(/\/+$/, "")}/healthz`, {
          signal: AbortSignal.timeout(timeout),
        });
        status = response.status;
        await response.body?.cancel();
      } catch (error) {
        throw new CliError(`unhealthy: ${base} did not answer (${(error as Error).message})`);
      }
      if (status !== 200) throw new CliError(`unhealthy: ${base}/healthz answered ${status}`);
      io.stdout("healthy\n");
    });
}
