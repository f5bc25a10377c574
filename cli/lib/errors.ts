import { ConfigError } from "../../src/core/config/load.ts";
import { GatewayError } from "../../src/core/errors.ts";
import { redactUrls } from "../../src/core/security/redact-url.ts";
import { CliError, EXIT } from "./io.ts";
import { printable } from "./printable.ts";

/**
 * The exit code of an HTTP status, for an error raised in-process and one a running gateway answered
 * alike (docs/cli.md's table): the caller can script against it without knowing which mode ran.
 */
export function exitCodeOf(status: number): number {
  if (status === 401) return EXIT.auth;
  if (status === 403) return EXIT.forbidden;
  if (status === 429) return EXIT.limited;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.failure;
}

const fieldList = (errors: { field: string; message: string }[] | undefined): string =>
  errors?.length ? ` (${errors.map((e) => `${e.field} ${e.message}`).join("; ")})` : "";

/** What a failed one-off command prints (one line) and exits with. */
export function cliErrorOf(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ConfigError) {
    return new CliError(error.problems.map((p) => `config: ${p}`).join("\n"), EXIT.usage);
  }
  if (error instanceof GatewayError) {
    if (error.code === "invalid-credentials") return new CliError(error.message, EXIT.auth);
    const hint = error.status === 401 ? " Run `gateway login`." : "";
    const fields = error.status < 500 ? fieldList(error.errors) : "";
    return new CliError(`${error.message}${fields}${hint}`, exitCodeOf(error.status));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message}`, EXIT.failure);
}

interface AnswerBody {
  detail?: unknown;
  title?: unknown;
  errors?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * A running gateway's refusal as a one-line failure: the problem's `detail` (RFC 9457 §3.1.4, written
 * for a person), or an OAuth error's `error_description` (RFC 6749 §5.2), with the exit code of its
 * status. `loginHint` is added to a 401: the way back in.
 */
export function answerError(status: number, body: unknown, loginHint: string): CliError {
  const answer = (body !== null && typeof body === "object" ? body : {}) as AnswerBody;
  const text = [answer.detail, answer.error_description, answer.title, answer.error].find(
    (v): v is string => typeof v === "string" && v !== "",
  );
  const errors = Array.isArray(answer.errors)
    ? (answer.errors as unknown[]).filter(
        (e): e is { field: string; message: string } =>
          typeof (e as { field?: unknown })?.field === "string" &&
          typeof (e as { message?: unknown })?.message === "string",
      )
    : undefined;
  const message = `${text ?? `the gateway answered ${status}`}${fieldList(errors)}`;
  return new CliError(status === 401 && loginHint ? `${message} ${loginHint}` : message, exitCodeOf(status));
}

/**
 * The one way a failure reaches the user: `gateway: <message>`, a line each, never a stack trace. A
 * message may quote a URL with userinfo (a config value, fetch's own words) and a running gateway's text
 * may hold terminal control sequences, so both are cleaned here, where nothing can skip it.
 */
export function errorOutput(message: string): string {
  return message
    .split("\n")
    .map((line) => `gateway: ${printable(redactUrls(line))}\n`)
    .join("");
}
