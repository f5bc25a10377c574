import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  type status,
} from "@grpc/grpc-js";
import { aggregatorService, type SearchResponseMessage } from "../../src/models/aggregator-grpc.ts";
import type { AggregatorSearchRequest } from "../../src/models/search.ts";
import { sleep } from "./fake-backend.ts";

/**
 * The gRPC twin of fake-backend.ts: an Aggregator Search server on a real loopback socket that answers
 * what the test tells it and records every call, so the gateway's real gRPC client meets the fault.
 */
export interface GrpcCall {
  request: AggregatorSearchRequest;
  /** Single-valued string metadata as received (x-request-id, traceparent, ...). */
  metadata: Record<string, string>;
  /** Milliseconds left of the caller's gRPC deadline when the call arrived (Infinity without one). */
  deadlineLeftMs: number;
}

export type GrpcReply =
  | { message: SearchResponseMessage }
  | { error: { code: status; details?: string; trailers?: Record<string, string> } };
export type GrpcBehaviour = (call: GrpcCall) => GrpcReply | Promise<GrpcReply>;

export interface FakeGrpcAggregator {
  url: string;
  calls: GrpcCall[];
  behave(next: GrpcBehaviour): void;
  stop(): Promise<void>;
}

function metadataOf(metadata: Metadata): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) {
    if (typeof value === "string") seen[key] = value;
  }
  return seen;
}

export async function startFakeGrpcAggregator(
  initial: GrpcBehaviour,
  credentials = ServerCredentials.createInsecure(),
): Promise<FakeGrpcAggregator> {
  let behaviour = initial;
  const calls: GrpcCall[] = [];
  const server = new Server();
  server.addService(aggregatorService, {
    Search: async (
      call: ServerUnaryCall<AggregatorSearchRequest, SearchResponseMessage>,
      callback: sendUnaryData<SearchResponseMessage>,
    ) => {
      const deadline = call.getDeadline();
      const recorded: GrpcCall = {
        request: call.request,
        metadata: metadataOf(call.metadata),
        deadlineLeftMs: (deadline instanceof Date ? deadline.getTime() : deadline) - Date.now(),
      };
      calls.push(recorded);
      const reply = await behaviour(recorded);
      if ("error" in reply) {
        const error: Partial<ServiceError> = {
          code: reply.error.code,
          details: reply.error.details ?? "injected",
        };
        if (reply.error.trailers) {
          const trailers = new Metadata();
          for (const [key, value] of Object.entries(reply.error.trailers)) trailers.set(key, value);
          error.metadata = trailers;
        }
        callback(error);
      } else callback(null, reply.message);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  const secure = credentials._isSecure();
  return {
    url: `${secure ? "grpcs" : "grpc"}://127.0.0.1:${port}`,
    calls,
    behave: (next) => {
      behaviour = next;
    },
    stop: async () => server.forceShutdown(),
  };
}

function product(n: number) {
  return {
    id: `p-${n}`,
    title: `Product ${n}`,
    price: n,
    currency: "USD",
    url: `https://shop.example/p/${n}`,
    source: "shop",
  };
}

/** Canned gRPC faults, as `faults` in fake-backend.ts has for HTTP. */
export const grpcFaults = {
  /** A valid answer with one product per call, naming the call, so tests can tell answers apart. */
  answer: (): GrpcBehaviour => {
    let n = 0;
    return (call) => {
      n += 1;
      return {
        message: {
          request_id: call.request.request_id,
          results: [product(n)],
          sources: [{ name: "shop", ok: true, took_ms: 1 }],
        },
      };
    };
  },
  slow:
    (ms: number, then: GrpcBehaviour): GrpcBehaviour =>
    async (call) => {
      await sleep(ms);
      return then(call);
    },
  status:
    (code: status): GrpcBehaviour =>
    () => ({ error: { code } }),
  /** Every `n`th call fails with `failure`, the others behave normally. */
  flaky: (n: number, failure: GrpcBehaviour, ok: GrpcBehaviour): GrpcBehaviour => {
    let count = 0;
    return (call) => (++count % n === 0 ? failure(call) : ok(call));
  },
  /** Well-formed protobuf that breaks the contract: an empty id and a negative price. */
  junk: (): GrpcBehaviour => (call) => ({
    message: {
      request_id: call.request.request_id,
      results: [{ ...product(1), id: "", price: -1 }],
      sources: [],
    },
  }),
  oversized:
    (bytes: number): GrpcBehaviour =>
    (call) => ({
      message: {
        request_id: call.request.request_id,
        results: [{ ...product(1), title: "x".repeat(bytes) }],
        sources: [],
      },
    }),
};
