import { isIP } from "node:net";
import { ORIGIN_MAX_LENGTH } from "../../models/well-known.ts";

/**
 * Parsers turn a raw value (a string from env or a flag, or a JSON/TOML value from the config file) into a
 * typed setting, or throw a ParseError whose message completes "expected ...". Keeping them tiny and
 * pure lets the loader report every bad setting at once.
 */
export class ParseError extends Error {}

/** `range` is the accepted span of an integer setting, so the docs can state it without repeating it. */
export type Parser<T> = ((raw: unknown) => T) & { readonly range?: readonly [min: number, max: number] };

export const text: Parser<string> = (raw) => {
  if (typeof raw !== "string" || raw.trim() === "") throw new ParseError("a non-empty string");
  return raw.trim();
};

export function integer(min: number, max: number): Parser<number> {
  const parse = (raw: unknown) => {
    const value = typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ParseError(`an integer from ${min} to ${max}`);
    }
    return value;
  };
  return Object.assign(parse, { range: [min, max] as const });
}

export function oneOf<const T extends string>(...choices: T[]): Parser<T> {
  return (raw) => {
    if (typeof raw !== "string" || !choices.includes(raw as T)) {
      throw new ParseError(`one of ${choices.join(", ")}`);
    }
    return raw as T;
  };
}

export function url(...protocols: string[]): Parser<string> {
  return (raw) => {
    const value = text(raw);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ParseError(`a URL (${protocols.join(" or ")})`);
    }
    if (!protocols.includes(parsed.protocol.slice(0, -1))) {
      throw new ParseError(`a URL whose scheme is ${protocols.join(" or ")}`);
    }
    return value.replace(/\/+$/, "");
  };
}

/**
 * The Aggregator's URL: http(s):// for HTTP/JSON, grpc(s):// for gRPC. A grpcs:// URL must name its host:
 * grpc-js sends the host as the TLS server name (SNI), and Bun's TLS refuses an IP address there, so every
 * call would fail; better said once at start.
 */
export const aggregatorUrl: Parser<string> = (raw) => {
  const value = url("http", "https", "grpc", "grpcs")(raw);
  const parsed = new URL(value);
  if (parsed.protocol === "grpcs:" && isIP(parsed.hostname.replace(/^\[|\]$/g, "")) !== 0) {
    throw new ParseError("a grpcs:// URL with a host name, not an IP address (TLS checks the name)");
  }
  // The gRPC client never sends URL userinfo: a password there would look configured and be ignored.
  if (parsed.protocol.startsWith("grpc") && (parsed.username !== "" || parsed.password !== "")) {
    throw new ParseError("a grpc(s):// URL without user:password@ (gRPC sends no credentials from the URL)");
  }
  return value;
};

export const boolean: Parser<boolean> = (raw) => {
  if (typeof raw === "boolean") return raw;
  if (typeof raw === "string" && /^(1|true|yes|on)$/i.test(raw)) return true;
  if (typeof raw === "string" && /^(0|false|no|off)$/i.test(raw)) return false;
  throw new ParseError("true or false");
};

/** A secret that guessing cannot find: at least `minBytes` bytes, taken as given. */
export function secret(minBytes: number): Parser<string> {
  return (raw) => {
    if (typeof raw !== "string" || Buffer.byteLength(raw) < minBytes) {
      throw new ParseError(
        `a secret of at least ${minBytes} bytes (e.g. \`openssl rand -base64 ${minBytes}\`)`,
      );
    }
    return raw;
  };
}

/**
 * A bearer token clients send in a header: trimmed like a header value (a secret file's trailing newline
 * would otherwise never match), then held to `minBytes` like any secret.
 */
export function bearerToken(minBytes: number): Parser<string> {
  const check = secret(minBytes);
  return (raw) => check(typeof raw === "string" ? raw.trim() : raw);
}

/** A comma-separated list (or a JSON/TOML array), each entry checked by `check` (which throws to reject). */
export function list(what: string, check: (entry: string) => void): Parser<string[]> {
  return (raw) => {
    const entries = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : null;
    if (!entries || entries.some((e) => typeof e !== "string"))
      throw new ParseError(`a comma-separated list of ${what}`);
    const trimmed = (entries as string[]).map((e) => e.trim()).filter((e) => e !== "");
    for (const entry of trimmed) {
      try {
        check(entry);
      } catch (error) {
        throw new ParseError(`a comma-separated list of ${what} (${(error as Error).message})`);
      }
    }
    return trimmed;
  };
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The gateway's public origin, which is also its OAuth issuer identifier: RFC 8414 §2 wants an https URL
 * without query or fragment. Plain http is let through for loopback only (development, tests), as
 * RFC 8252 §8.3 does for redirect URIs. A path is refused: the metadata would then live at
 * `/.well-known/oauth-authorization-server/<path>` (RFC 8414 §3.1), which nothing in front would route here.
 */
export const publicOrigin: Parser<string> = (raw) => {
  const value = url("https", "http")(raw);
  const parsed = new URL(value);
  if (parsed.protocol === "http:" && !LOOPBACK.has(parsed.hostname))
    throw new ParseError("an https:// origin (http:// only for localhost, 127.0.0.1 or [::1])");
  if (parsed.pathname !== "/" || parsed.search !== "" || parsed.hash !== "" || parsed.username !== "")
    throw new ParseError("an origin like https://gateway.example.com, without path, query or user:password@");
  // The issuer and metadata URLs are documented (and checked on the way out) with this bound.
  if (parsed.origin.length > ORIGIN_MAX_LENGTH)
    throw new ParseError(`an origin of at most ${ORIGIN_MAX_LENGTH} characters`);
  return parsed.origin;
};

const LATENCY_TABLE = /^(?:\d{1,6}|[a-z0-9-]{1,100}=\d{1,6}(?:,[a-z0-9-]{1,100}=\d{1,6})*)$/;

/** Milliseconds for every shop (`50`) or per shop name (`shopnow=50,megamart=300`); kept as the text. */
export const latencyTable: Parser<string> = (raw) => {
  const value = typeof raw === "number" ? String(raw) : raw;
  if (typeof value !== "string" || !LATENCY_TABLE.test(value.replaceAll(" ", "")))
    throw new ParseError("milliseconds (e.g. 50) or name=ms pairs (e.g. shopnow=50,megamart=300)");
  return value.replaceAll(" ", "");
};

/** A latencyTable's text as the reference Aggregator takes it. */
export function latencyOf(table: string): number | Record<string, number> {
  if (/^\d+$/.test(table)) return Number(table);
  return Object.fromEntries(
    table.split(",").map((pair) => {
      const [name = "", ms = "0"] = pair.split("=");
      return [name, Number(ms)];
    }),
  );
}
