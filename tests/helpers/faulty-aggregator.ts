import { status } from "@grpc/grpc-js";
import { aggregatorAnswer, faults, startFakeBackend } from "./fake-backend.ts";
import { grpcFaults, startFakeGrpcAggregator } from "./fake-grpc-aggregator.ts";

/**
 * One fault-injecting Aggregator per transport behind one interface, so a suite can run unchanged over
 * HTTP and gRPC: each fault is the transport's own way of having it (503 or UNAVAILABLE, ...).
 */
export type Transport = "http" | "grpc";
export const TRANSPORTS: readonly Transport[] = ["http", "grpc"];

export interface SeenSearch {
  requestId: string | undefined;
  traceparent: string | undefined;
  /** The time the gateway allowed the call, as the backend learnt it (X-Request-Timeout-Ms, gRPC deadline). */
  allowedMs: number;
}

export type Fault = "answer" | "unavailable" | "internal" | "junk" | "oversized";

export interface FaultyAggregator {
  url: string;
  searches(): SeenSearch[];
  /** From now on, have `fault` on every call. */
  have(fault: Fault): void;
  slow(ms: number): void;
  /** Every `n`th call is a transient failure (503, UNAVAILABLE), the others answer. */
  flaky(n: number): void;
  stop(): Promise<void>;
}

const OVERSIZED = 3 * 1024 * 1024;

function junkJson(request: Request): Promise<Response> {
  return request.json().then((body) =>
    Response.json({
      request_id: (body as { request_id: string }).request_id,
      results: [
        { id: "", title: "t", price: -1, currency: "USD", url: "https://shop.example/", source: "s" },
      ],
    }),
  );
}

async function http(): Promise<FaultyAggregator> {
  const backend = startFakeBackend(aggregatorAnswer());
  const table = {
    answer: aggregatorAnswer,
    unavailable: () => faults.status(503),
    internal: () => faults.status(500),
    junk: () => junkJson,
    oversized: () => faults.oversized(OVERSIZED),
  };
  return {
    url: backend.url,
    searches: () =>
      backend.calls
        .filter((call) => new URL(call.url).pathname === "/v1/search")
        .map((call) => ({
          requestId: call.headers.get("x-request-id") ?? undefined,
          traceparent: call.headers.get("traceparent") ?? undefined,
          allowedMs: Number(call.headers.get("x-request-timeout-ms")),
        })),
    have: (fault) => backend.behave(table[fault]()),
    slow: (ms) => backend.behave(faults.slow(ms, aggregatorAnswer())),
    flaky: (n) => backend.behave(faults.flaky(n, faults.status(503), aggregatorAnswer())),
    stop: () => backend.stop(),
  };
}

async function grpc(): Promise<FaultyAggregator> {
  const backend = await startFakeGrpcAggregator(grpcFaults.answer());
  const table = {
    answer: grpcFaults.answer,
    unavailable: () => grpcFaults.status(status.UNAVAILABLE),
    internal: () => grpcFaults.status(status.INTERNAL),
    junk: grpcFaults.junk,
    oversized: () => grpcFaults.oversized(OVERSIZED),
  };
  return {
    url: backend.url,
    searches: () =>
      backend.calls.map((call) => ({
        requestId: call.metadata["x-request-id"],
        traceparent: call.metadata.traceparent,
        allowedMs: call.deadlineLeftMs,
      })),
    have: (fault) => backend.behave(table[fault]()),
    slow: (ms) => backend.behave(grpcFaults.slow(ms, grpcFaults.answer())),
    flaky: (n) =>
      backend.behave(grpcFaults.flaky(n, grpcFaults.status(status.UNAVAILABLE), grpcFaults.answer())),
    stop: () => backend.stop(),
  };
}

export function startFaultyAggregator(transport: Transport): Promise<FaultyAggregator> {
  return transport === "http" ? http() : grpc();
}
