import { Forbidden } from "../../core/errors.ts";

const ALLOWED_HEADERS = ["authorization", "content-type", "x-request-id", "traceparent"];
const EXPOSED_HEADERS = [
  "x-request-id",
  "ratelimit",
  "ratelimit-policy",
  "retry-after",
  "x-cache",
  "www-authenticate",
].join(", ");

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`), or `*` for any (never with credentials). */
  origins: readonly string[];
  credentials: boolean;
}

/** Writes CORS headers into `headers`; returns the answer to a preflight, or nothing to go on. */
export type CorsStep = (request: Request, headers: Record<string, unknown>) => Response | undefined;

/**
 * CORS for the web front end, by allow-list. An allowed origin gets its own origin echoed (with
 * `Vary: Origin`) on every answer, errors included; a preflight from one is answered at once (204); a
 * preflight from any other origin is a 403 problem, and its real requests get no CORS headers, so the
 * browser withholds the answer. Without configured origins the step is absent. A step of the request
 * pipeline (pipeline.ts), not a plugin of its own.
 */
export function cors({ origins, credentials }: CorsOptions): CorsStep | undefined {
  const any = origins.includes("*");
  // The config refuses this at start; a `*` that echoed every origin with credentials is no allow-list.
  if (any && credentials) throw new Error("CORS: `*` cannot be combined with credentials");
  if (origins.length === 0) return undefined;
  const allowed = new Set(origins);
  return (request, headers) => {
    const origin = request.headers.get("origin");
    if (origin === null) return undefined;
    const ok = any || allowed.has(origin);
    const preflight = request.method === "OPTIONS" && request.headers.has("access-control-request-method");
    if (!ok) {
      if (preflight) throw new Forbidden(`Origin ${origin} may not call this API (GATEWAY_CORS_ORIGINS).`);
      return undefined;
    }
    headers["access-control-allow-origin"] = any ? "*" : origin;
    headers.vary = "Origin";
    if (credentials) headers["access-control-allow-credentials"] = "true";
    if (!preflight) {
      headers["access-control-expose-headers"] = EXPOSED_HEADERS;
      return undefined;
    }
    const asked = (request.headers.get("access-control-request-headers") ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean);
    const granted = asked.filter((h) => ALLOWED_HEADERS.includes(h));
    headers["access-control-allow-methods"] = "GET, POST";
    headers["access-control-allow-headers"] = (granted.length ? granted : ALLOWED_HEADERS).join(", ");
    headers["access-control-max-age"] = "600";
    return new Response(null, { status: 204, headers: headers as Record<string, string> });
  };
}
