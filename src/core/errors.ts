/**
 * The gateway's error hierarchy. Everything a handler throws ends up in one `onError`
 * (api/plugins/problems.ts), which turns a GatewayError into problem+json and anything else into a 500
 * without leaking its message.
 */
export interface FieldError {
  field: string;
  message: string;
}

export class GatewayError extends Error {
  readonly status: number;
  /** Stable machine-readable code; the problem `type` is derived from it. */
  readonly code: string;
  readonly title: string;
  readonly headers: Record<string, string>;
  readonly errors: FieldError[] | undefined;
  /** Extra problem members (RFC 9457 §3.2), e.g. `violated-policies`. */
  readonly extensions: Record<string, unknown>;
  /** What this error is in RFC 6749 §5.2's terms, for an OAuth request (problems.ts answers it so). */
  readonly oauth: OAuthErrorCode | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    extra: {
      headers?: Record<string, string>;
      errors?: FieldError[];
      extensions?: Record<string, unknown>;
      oauth?: OAuthErrorCode;
      cause?: unknown;
    } = {},
  ) {
    super(detail, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.title = title;
    this.headers = extra.headers ?? {};
    this.errors = extra.errors;
    this.extensions = extra.extensions ?? {};
    this.oauth = extra.oauth;
  }
}

export class BadRequest extends GatewayError {
  constructor(detail: string) {
    super(400, "bad-request", "Bad request", detail, { oauth: "invalid_request" });
  }
}

export class InvalidInput extends GatewayError {
  constructor(detail: string, errors: FieldError[] = [], oauth: OAuthErrorCode = "invalid_request") {
    super(422, "invalid-input", "Invalid input", detail, { errors, oauth });
  }
}

/** A login naming a grant other than the password grant (RFC 6749 §5.2 `unsupported_grant_type`). */
export class UnsupportedGrantType extends InvalidInput {
  constructor(detail: string) {
    super(detail, [{ field: "grant_type", message: 'must be "password"' }], "unsupported_grant_type");
  }
}

/**
 * A `cursor` that the gateway did not issue (or that was altered), that has expired, or that belongs to
 * another search: the client must start from the first page again, so it is a 400, not a 422 of a field.
 */
export class InvalidCursor extends GatewayError {
  constructor(detail: string) {
    super(400, "invalid-cursor", "Invalid cursor", detail, {
      errors: [{ field: "cursor", message: detail }],
    });
  }
}

/**
 * The Aggregator answered that it does not support one of the search's parameters: the request is fine
 * for the gateway but cannot be served as asked, which is the client's to change (400, never 502).
 * `parameter` is one of the gateway's own parameter names, never text taken from the backend.
 */
export class UnsupportedParameter extends GatewayError {
  constructor(backend: string, parameter: string, cause?: unknown) {
    super(
      400,
      "unsupported-parameter",
      "Unsupported parameter",
      `The ${backend} service does not support the parameter "${parameter}"; search without it.`,
      { extensions: { parameter }, errors: [{ field: parameter, message: "not supported here" }], cause },
    );
  }
}

/** A gRPC backend answered INVALID_ARGUMENT without naming a parameter; its details stay unsaid. */
export class UpstreamRejected extends GatewayError {
  constructor(backend: string, cause?: unknown) {
    super(400, "bad-request", "Bad request", `The ${backend} service rejected the request.`, { cause });
  }
}

export class Unauthorized extends GatewayError {
  constructor(detail: string, reason = "invalid_token") {
    // RFC 6750 §3: a missing token gets a bare challenge, a bad one names the error.
    const challenge = reason === "" ? 'Bearer realm="gateway"' : `Bearer realm="gateway", error="${reason}"`;
    super(401, "unauthorized", "Unauthorized", detail, { headers: { "www-authenticate": challenge } });
  }
}

export class InvalidCredentials extends GatewayError {
  constructor() {
    super(401, "invalid-credentials", "Invalid credentials", "The email or password is incorrect.", {
      headers: { "www-authenticate": 'Bearer realm="gateway"' },
      // §5.2: "the provided authorization grant (e.g., ... resource owner credentials) is invalid".
      oauth: "invalid_grant",
    });
  }
}

export class Forbidden extends GatewayError {
  constructor(detail: string) {
    super(403, "forbidden", "Forbidden", detail);
  }
}

export class NotFound extends GatewayError {
  constructor(detail: string) {
    super(404, "not-found", "Not found", detail);
  }
}

export class PayloadTooLarge extends GatewayError {
  constructor(limit: number) {
    super(413, "payload-too-large", "Payload too large", `The request body exceeds ${limit} bytes.`);
  }
}

export class UnsupportedMediaType extends GatewayError {
  constructor(detail: string) {
    super(415, "unsupported-media-type", "Unsupported media type", detail);
  }
}

/** 429; `code` says which kind (rate-limited, quota-exceeded, login-throttled). */
export class RateLimited extends GatewayError {
  constructor(
    detail: string,
    retryAfterSeconds: number,
    code = "rate-limited",
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(429, code, code === "quota-exceeded" ? "Quota exceeded" : "Too many requests", detail, {
      headers: { ...headers, "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      extensions,
    });
  }
}

/** The backend answered, but not with something we may pass on (bad status, wrong shape, junk). */
export class BadUpstream extends GatewayError {
  constructor(backend: string, detail: string, cause?: unknown) {
    super(502, "bad-upstream", "Bad gateway", `The ${backend} service ${detail}`, { cause });
  }
}

export class UpstreamUnavailable extends GatewayError {
  constructor(backend: string, cause?: unknown, retryAfterSeconds = 1, why = "is unreachable") {
    super(503, "upstream-unavailable", "Service unavailable", `The ${backend} service ${why}.`, {
      headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      cause,
    });
  }
}

/**
 * 503 from the gateway itself, before any Users call: every credential-check slot is taken and the
 * queue is full, or the wait in it ran out. Saying so at once keeps the Users service below saturation.
 */
export class LoginBusy extends GatewayError {
  constructor(retryAfterSeconds = 1) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(
      503,
      "login-busy",
      "Service unavailable",
      `Too many logins are being checked right now; retry in ${seconds} s.`,
      { headers: { "retry-after": String(seconds) } },
    );
  }
}

/**
 * 503 from the gateway itself while it drains: a stream that would outlive the drain is ended with this
 * rather than cut, and one that could not finish in time is refused. `retry_after` carries the header's
 * meaning into an SSE `error` event, which has no headers; another instance will take the retry.
 */
export class ShuttingDown extends GatewayError {
  constructor(retryAfterSeconds = 1) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(503, "shutting-down", "Service unavailable", "The gateway is shutting down; retry.", {
      headers: { "retry-after": String(seconds) },
      extensions: { retry_after: seconds },
    });
  }
}

export class UpstreamTimeout extends GatewayError {
  constructor(backend: string, timeoutMs?: number, cause?: unknown) {
    const within = timeoutMs === undefined ? "in time" : `within ${timeoutMs} ms`;
    super(504, "upstream-timeout", "Gateway timeout", `The ${backend} service did not answer ${within}.`, {
      cause,
    });
  }
}

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "unsupported_token_type";

/**
 * An error of an OAuth request (see api/oauth-paths.ts). RFC 6749 §5.2 fixes its shape for standard
 * clients: 400 with `application/json` `{error, error_description}` rather than problem+json, which
 * problems.ts writes for this class (and for any error with an `oauth` code on those requests), and
 * `no-store` as §5.1 asks.
 */
export class OAuthError extends GatewayError {
  constructor(code: OAuthErrorCode, detail: string) {
    super(400, code, "OAuth error", detail, { headers: { "cache-control": "no-store", pragma: "no-cache" } });
  }
}

/** The Users service says the account is disabled: no login, no refresh, no use of an older token. */
export class AccountDisabled extends GatewayError {
  constructor() {
    super(403, "account-disabled", "Account disabled", "This account is disabled.");
  }
}

/** Sessions live in a shared store (Redis) that did not answer: refresh and logout fail closed. */
export class SessionsUnavailable extends GatewayError {
  constructor(cause?: unknown) {
    super(
      503,
      "sessions-unavailable",
      "Service unavailable",
      "The session store is unavailable; retry shortly.",
      {
        headers: { "retry-after": "1" },
        cause,
      },
    );
  }
}
