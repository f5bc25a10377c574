import { status } from "@grpc/grpc-js";

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
 * A gRPC call that ended with a status other than OK: sent by the server, or set by grpc-js itself (its
 * deadline passed, no connection could be made). `upstream-errors.ts` holds the table of what each means.
 */
export class GrpcStatusError extends Error {
  constructor(
    readonly method: string,
    readonly code: status,
    readonly details: string,
  ) {
    // Details may come from the server: bounded, so a hostile one cannot flood the logs.
    super(`${method} ended with gRPC status ${status[code] ?? code}: ${details.slice(0, 200)}`);
    this.name = "GrpcStatusError";
  }
}

/** The gRPC call ended OK, but with an answer that is not what its contract promises (shape, size). */
export class GrpcContractError extends Error {
  constructor(
    readonly method: string,
    detail: string,
  ) {
    super(`${method}: ${detail}`);
    this.name = "GrpcContractError";
  }
}
