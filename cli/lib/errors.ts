import { ConfigError } from "../../src/core/config/load.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { CliError, EXIT } from "./io.ts";

/** What a failed one-off command prints (one line) and exits with. */
export function cliErrorOf(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) {
    return new CliError(error.problems.map((p) => `config: ${p}`).join("\ngateway: "), EXIT.usage);
  }
  if (error instanceof GatewayError) {
    const detail = error.errors?.length
      ? ` (${error.errors.map((e) => `${e.field} ${e.message}`).join("; ")})`
      : "";
    if (error.code === "invalid-credentials") return new CliError(error.message, EXIT.auth);
    if (error.status === 401)
      return new CliError(`${error.message}${detail} Run \`gateway login\`.`, EXIT.auth);
    if (error.status === 403) return new CliError(error.message, EXIT.forbidden);
    if (error.status === 429) return new CliError(error.message, EXIT.limited);
    if (error.status < 500) return new CliError(`${error.message}${detail}`, EXIT.usage);
    return new CliError(error.message, EXIT.failure);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message}`, EXIT.failure);
}
