import {
  BadUpstream,
  type GatewayError,
  UnsupportedParameter,
  UpstreamTimeout,
  UpstreamUnavailable,
} from "../core/errors.ts";
import {
  CircuitOpenError,
  ContractError,
  HTTPError,
  NetworkError,
  TimeoutError,
  TransportError,
} from "./errors.ts";
import { DeadlineExceeded } from "./resilience/deadline.ts";
import { clientParameter } from "./unsupported-parameter.ts";

/** The parameter an Aggregator's 400 problem+json names as unsupported, if it is one of ours. */
function unsupportedIn(problem: string): string | undefined {
  try {
    const body = JSON.parse(problem) as { parameter?: unknown };
    return clientParameter(body.parameter);
  } catch {
    return undefined;
  }
}

/** Where a failed backend call becomes what the client is told (400/502/503/504). */
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
    const parameter = error.problem === undefined ? undefined : unsupportedIn(error.problem);
    if (parameter !== undefined) return new UnsupportedParameter(backend, parameter, error);
    if (error.response.status === 503) return new UpstreamUnavailable(backend, error);
    if (error.response.status === 504) return new UpstreamTimeout(backend, undefined, error);
    return new BadUpstream(backend, `answered HTTP ${error.response.status}.`, error);
  }
  if (error instanceof ContractError)
    return new BadUpstream(backend, "sent an answer that breaks its contract.", error);
  // The gRPC client's errors: their table is beside that client (aggregator/grpc-errors.ts).
  if (error instanceof TransportError) return error.answer(backend);
  return error;
}
