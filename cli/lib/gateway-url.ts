import ipaddr from "ipaddr.js";
import { savedGatewayUrl } from "./credentials.ts";
import { CliError, EXIT, type IO } from "./io.ts";

/** The CLI's own setting (not `gateway serve`'s): which running gateway the one-off commands talk to. */
export const GATEWAY_URL_ENV = "GATEWAY_URL";

function isLoopback(hostname: string): boolean {
  if (hostname === "localhost") return true;
  const bare = hostname.replace(/^\[(.*)\]$/, "$1");
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === "loopback";
}

/**
 * The gateway's base URL, as the credentials file keys it (no trailing slash). The CLI sends a password
 * and bearer and refresh tokens there, so plain http is refused except to this machine (RFC 6749
 * §3.1 and §10.3 require TLS for both; loopback is the RFC 8252 §8.3 exception); user:password@, a
 * query or a fragment would be sent or kept where nobody expects them.
 */
export function gatewayUrl(raw: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new CliError(`${from}: expected a URL like https://gateway.example.com, got "${raw}"`, EXIT.usage);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:")
    throw new CliError(`${from}: expected an https:// URL, got "${raw}"`, EXIT.usage);
  if (parsed.protocol === "http:" && !isLoopback(parsed.hostname))
    throw new CliError(
      `${from}: http:// would send the password and tokens in clear text; use https:// (http:// only to localhost or a loopback address)`,
      EXIT.usage,
    );
  if (parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "")
    throw new CliError(`${from}: expected a base URL without user:password@, query or fragment`, EXIT.usage);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

/**
 * Which gateway a command talks to: `--url`, else GATEWAY_URL, else the one logged in to last.
 * Undefined when none is named: the command then runs the gateway's services in-process (demo).
 */
export function resolveGatewayUrl(io: IO, flag: string | undefined): string | undefined {
  if (flag !== undefined) return gatewayUrl(flag, "--url");
  const env = io.env[GATEWAY_URL_ENV];
  if (env) return gatewayUrl(env, GATEWAY_URL_ENV);
  const saved = savedGatewayUrl(io.env);
  return saved === undefined ? undefined : gatewayUrl(saved, "the saved gateway URL");
}

/**
 * Said once per command, so nobody mistakes a demo answer for their gateway's. `demo`: the reference
 * backends were started (no GATEWAY_USERS_URL), rather than the configured ones called from here.
 */
export function announceInProcess(io: IO, demo: boolean): void {
  const what = demo ? "the in-process reference backends (demo)" : "the gateway's services in-process";
  io.stderr(`(no gateway URL: using ${what}; --url or ${GATEWAY_URL_ENV} names a running gateway)\n`);
}
