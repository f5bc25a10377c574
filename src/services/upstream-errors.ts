import { status } from "@grpc/grpc-js";
import { BadUpstream, GatewayError, UpstreamTimeout, UpstreamUnavailable } from "../core/errors.ts";
import {
  CircuitOpenError,
  ContractError,
  GrpcContractError,
  GrpcStatusError,
  HTTPError,
  NetworkError,
  TimeoutError,
} from "./errors.ts";
import { DeadlineExceeded } from "./resilience/deadline.ts";

type Answer = (backend: string, error: GrpcStatusError) => GatewayError;

/** What a gRPC status means to the client; every status not listed is the backend failing: 502. */
export const GRPC_STATUS_ANSWERS: ReadonlyMap<status, Answer> = new Map<status, Answer>([
  [status.UNAVAILABLE, (backend, error) => new UpstreamUnavailable(backend, error)],
  [status.DEADLINE_EXCEEDED, (backend, error) => new UpstreamTimeout(backend, undefined, error)],
  [
    status.INVALID_ARGUMENT,
    // The server's details are not passed on: they are untrusted text that may name its internals.
    (backend, error) =>
      new GatewayError(400, "bad-request", "Bad request", `The ${backend} service rejected the request.`, {
        cause: error,
      }),
  ],
]);

function grpcAnswer(backend: string, error: GrpcStatusError): GatewayError {
  const answer = GRPC_STATUS_ANSWERS.get(error.code);
  if (answer) return answer(backend, error);
  return new BadUpstream(backend, `answered gRPC status ${status[error.code] ?? error.code}.`, error);
}

/** The one place a failed backend call becomes what the client is told (400/502/503/504). */
export function upstreamError(backend: string, error: unknown): GatewayError | unknown {
  if (error instanceof CircuitOpenError) {
    const seconds = error.retryAfterMs / 1000;
    return new UpstreamUnavailable(
      backend,
      error,
      seconds,
      "is failing; calls to it are paused (circuit open)",
    );
  }
  if (error instanceof DeadlineExceeded) return new UpstreamTimeout(backend, undefined, error);
  if (error instanceof TimeoutError) return new UpstreamTimeout(backend, error.timeoutMs, error);
  if (error instanceof NetworkError) return new UpstreamUnavailable(backend, error);
  if (error instanceof HTTPError) {
    if (error.response.status === 503) return new UpstreamUnavailable(backend, error);
    if (error.response.status === 504) return new UpstreamTimeout(backend, undefined, error);
    return new BadUpstream(backend, `answered HTTP ${error.response.status}.`, error);
  }
  if (error instanceof GrpcStatusError) return grpcAnswer(backend, error);
  if (error instanceof ContractError || error instanceof GrpcContractError)
    return new BadUpstream(backend, "sent an answer that breaks its contract.", error);
  return error;
}
