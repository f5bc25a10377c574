import { status } from "@grpc/grpc-js";
import {
  BadUpstream,
  type GatewayError,
  UnsupportedParameter,
  UpstreamRejected,
  UpstreamTimeout,
  UpstreamUnavailable,
} from "../../core/errors.ts";
import { TransportError } from "../errors.ts";

type Answer = (backend: string, error: GrpcStatusError) => GatewayError;

/** What a gRPC status means to the client; every status not listed is the backend failing: 502. */
export const GRPC_STATUS_ANSWERS: ReadonlyMap<status, Answer> = new Map<status, Answer>([
  [status.UNAVAILABLE, (backend, error) => new UpstreamUnavailable(backend, error)],
  [status.DEADLINE_EXCEEDED, (backend, error) => new UpstreamTimeout(backend, undefined, error)],
  [
    status.INVALID_ARGUMENT,
    // The server's details are not passed on: they are untrusted text that may name its internals. Only
    // the parameter its trailer names as unsupported is, when it is one of the gateway's own names.
    (backend, error) =>
      error.parameter !== undefined
        ? new UnsupportedParameter(backend, error.parameter, error)
        : new UpstreamRejected(backend, error),
  ],
]);

/**
 * A gRPC call that ended with a status other than OK: sent by the server, or set by grpc-js itself (its
 * deadline passed, no connection could be made). GRPC_STATUS_ANSWERS says what each means.
 */
export class GrpcStatusError extends TransportError {
  constructor(
    readonly method: string,
    readonly code: status,
    readonly details: string,
    /** From the `unsupported-parameter` trailer of an INVALID_ARGUMENT, already one of our names. */
    readonly parameter?: string,
  ) {
    // Details may come from the server: bounded, so a hostile one cannot flood the logs.
    super(`${method} ended with gRPC status ${status[code] ?? code}: ${details.slice(0, 200)}`);
    this.name = "GrpcStatusError";
  }

  answer(backend: string): GatewayError {
    const answer = GRPC_STATUS_ANSWERS.get(this.code);
    if (answer) return answer(backend, this);
    return new BadUpstream(backend, `answered gRPC status ${status[this.code] ?? this.code}.`, this);
  }
}

/** The gRPC call ended OK, but with an answer that is not what its contract promises (shape, size). */
export class GrpcContractError extends TransportError {
  constructor(
    readonly method: string,
    detail: string,
  ) {
    super(`${method}: ${detail}`);
    this.name = "GrpcContractError";
  }

  answer(backend: string): GatewayError {
    return new BadUpstream(backend, "sent an answer that breaks its contract.", this);
  }
}
