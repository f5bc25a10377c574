import type { Server } from "bun";
import type { AnyElysia } from "elysia";
import { parseableAuthority } from "./parseable-authority.ts";

export interface ListenOptions {
  hostname: string;
  port: number;
  maxRequestBodySize?: number;
}

// The host a URL gets when the request's own cannot be put in one; nothing routes or answers by it.
const SAFE_ORIGIN = "http://localhost";
const HTTP = "http://";
// RFC 3986's authority characters (userinfo, reg-name, IP literal, port), one or more.
const PLAIN_AUTHORITY = /^[A-Za-z0-9._~!$&'()*+,;=:@%[\]-]+$/;

let lastPlain = "";

// Bun's last resort, for a throw that escaped the app: still problem+json, and never its HTML page.
const LAST_RESORT = JSON.stringify({
  type: "/problems/internal",
  title: "Internal server error",
  status: 500,
  detail: "Something went wrong on our side.",
});

/**
 * The URL Bun gives a request is `http://<Host><target>` only when the Host is present and sane: without
 * one, or with one it rejects, it is the bare target (`/x`); with `Host: [` it is `http://[/x`, which no
 * URL parser takes; for CONNECT it is the authority (`example.com:443`). The app finds the path after
 * `http://` and parses the URL in places, so every other shape is rewritten to the same path on a safe
 * origin. (A rejected Host itself is then refused by the request pipeline (plugins/pipeline.ts).)
 */
export function routableUrl(url: string): string | undefined {
  // Nearly every request comes by the Host the one before it did: a plain authority that parsed, up
  // to its slash, is the whole answer (no slice, pattern or lookup). Plain means it holds no `/`, so
  // a URL that starts so has exactly that authority.
  if (lastPlain !== "" && url.startsWith(lastPlain)) return undefined;
  if (url.startsWith("http://")) {
    const slash = url.indexOf("/", HTTP.length);
    const authority = slash === -1 ? "" : url.slice(HTTP.length, slash);
    // The common shape, `http://host/...`: its authority's answer is remembered, so no URL is parsed per
    // request. An authority with anything else in it (a tab or newline, which the parser drops; a
    // backslash, which it reads as `/`; `?`, `#`), or none, can make the path part of the host: only
    // the whole URL can say.
    if (PLAIN_AUTHORITY.test(authority)) {
      if (parseableAuthority(authority)) {
        lastPlain = url.slice(0, slash + 1);
        return undefined;
      }
    } else if (URL.canParse(url)) return undefined;
    return SAFE_ORIGIN + (slash === -1 ? "/" : url.slice(slash));
  }
  return SAFE_ORIGIN + (url.startsWith("/") ? url : "/");
}

/**
 * Serves an Elysia app with development mode off (Bun's HTML error page names files and source lines)
 * and every request's URL made routable first. Bun.serve directly, not `app.listen`, because listen
 * installs `app.fetch` itself and would bypass the rewrite. The Request keeps its identity (its URL is
 * shadowed, not copied into a new Request), so the socket address and body stay with it.
 */
export function serveApp(
  app: AnyElysia,
  { hostname, port, maxRequestBodySize }: ListenOptions,
): Server<undefined> {
  app.compile();
  const server = Bun.serve({
    hostname,
    port,
    development: false,
    // Elysia turns SO_REUSEPORT on by default, which lets a second gateway silently share a busy port;
    // a port conflict must be an error instead.
    reusePort: false,
    idleTimeout: 30,
    ...(maxRequestBodySize === undefined ? {} : { maxRequestBodySize }),
    fetch(request) {
      const url = routableUrl(request.url);
      if (url !== undefined) Object.defineProperty(request, "url", { value: url });
      return app.fetch(request);
    },
    error() {
      return new Response(LAST_RESORT, {
        status: 500,
        headers: { "content-type": "application/problem+json" },
      });
    },
  });
  // So handlers that ask for `server` (the client's socket address) get this one.
  app.server = server;
  return server;
}
