import { Elysia } from "elysia";
import { BadRequest } from "../../core/errors.ts";
import { parseableAuthority } from "../parseable-authority.ts";

// RFC 9110 §7.2: uri-host [":" port], the host an IP-literal or a reg-name (RFC 3986 §3.2.2).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]*)(?::[0-9]*)?$/;

/**
 * Absent is allowed: HTTP/1.0 may omit it (Bun itself answers 400 to an HTTP/1.1 request without one).
 * Empty is not: every request here targets an `http` URI, and RFC 9110 §4.2.1 says a recipient MUST
 * reject an `http` URI with an empty host as invalid.
 */
export function validHost(host: string | null): boolean {
  return host === null || (host !== "" && HOST.test(host) && parseableAuthority(host));
}

/**
 * RFC 9112 §3.2: a server MUST answer 400 to a request whose Host is invalid or given more than once
 * (two Host lines reach us joined by ", ", which no host contains). The value is not echoed: it is
 * the client's text. The request pipeline runs this check; the plugin is for apps without it (admin).
 */
export const hostHeader = new Elysia({ name: "host-header" })
  .onRequest(({ request }) => {
    if (!validHost(request.headers.get("host"))) throw new BadRequest("The Host header is not valid.");
  })
  .as("global");
