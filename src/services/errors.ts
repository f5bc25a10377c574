import type { GatewayError } from "../core/errors.ts";

/** Which call failed: enough to name it in messages (the gateway does not keep a Request per call). */
export interface UpstreamRequest {
  method: string;
  url: string;
}

/**
 * What can go wrong calling a backend, ky-style: each error carries the request (and response) so the
 * caller decides what it means. The gateway maps them to its own errors in `upstream-errors.ts`.
 */
export class HTTPError extends Error {
  constructor(
    readonly request: UpstreamRequest,
    readonly response: Response,
    /** A 400's problem+json text (bounded), for an `unsupported-parameter` refusal; otherwise unread. */
    readonly problem?: string,
  ) {
    super(`${request.method} ${new URL(request.url).pathname} answered HTTP ${response.status}`);
    this.name = "HTTPError";
  }
}

export class TimeoutError extends Error {
  constructor(
    readonly request: UpstreamRequest,
    readonly timeoutMs: number,
  ) {
    super(`${request.method} ${new URL(request.url).pathname} timed out after ${timeoutMs} ms`);
    this.name = "TimeoutError";
  }
}

export class NetworkError extends Error {
  constructor(
    readonly request: UpstreamRequest,
    cause: unknown,
  ) {
    super(
      `${request.method} ${new URL(request.url).pathname} failed: ${(cause as Error)?.message ?? cause}`,
      { cause },
    );
    this.name = "NetworkError";
  }
}

/** The backend answered 2xx, but with something that is not what its contract promises. */
export class ContractError extends Error {
  constructor(
    readonly request: UpstreamRequest,
    readonly response: Response,
    detail: string,
  ) {
    super(`${request.method} ${new URL(request.url).pathname}: ${detail}`);
    this.name = "ContractError";
  }
}

/** The backend's circuit is open: the call was not even tried. */
export class CircuitOpenError extends Error {
  constructor(
    readonly backend: string,
    readonly retryAfterMs: number,
  ) {
    super(`the ${backend} circuit is open`);
    this.name = "CircuitOpenError";
  }
}

/**
 * A failure of a transport that is loaded only when configured (gRPC): it says itself what the client is
 * told, so that `upstream-errors.ts`, on every transport's path, does not load that transport's library.
 */
export abstract class TransportError extends Error {
  abstract answer(backend: string): GatewayError;
}
