import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  aggregatorService,
  type SearchRequestMessage,
  type SearchResponseMessage,
  type SourceResultMessage,
  searchRequestFromMessage,
  UNSUPPORTED_PARAMETER_TRAILER,
} from "../../models/aggregator-grpc.ts";
import { AggregatorSearchRequest } from "../../models/search.ts";
import { echoableRequestId, REQUEST_ID_HEADER } from "../request-id.ts";
import { type ListenOptions, urlHost } from "../service.ts";
import type { Marketplace } from "./marketplaces.ts";
import { checkSupported, UnsupportedParameterError } from "./refine.ts";
import { aggregateSearch, streamSearch } from "./search.ts";

const checkRequest = TypeCompiler.Compile(AggregatorSearchRequest);

export interface RunningGrpcService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

function echoRequestId(call: { metadata: Metadata; sendMetadata(metadata: Metadata): void }): void {
  const id = echoableRequestId(call.metadata.get(REQUEST_ID_HEADER)[0]);
  if (id === undefined) return;
  const echo = new Metadata();
  echo.set(REQUEST_ID_HEADER, id);
  call.sendMetadata(echo);
}

/** The request in the JSON contract's shape, or the INVALID_ARGUMENT details saying why it is not one. */
function checked(message: SearchRequestMessage): AggregatorSearchRequest | string {
  const request = searchRequestFromMessage(message);
  if (checkRequest.Check(request)) return request;
  const first = checkRequest.Errors(request).First();
  const field = first?.path.replace(/^\//, "") || "request";
  return `${field}: ${first?.message ?? "invalid"}`;
}

/** The contract's refusal of one parameter: INVALID_ARGUMENT, the parameter in a trailer. */
function unsupported(error: UnsupportedParameterError) {
  const trailer = new Metadata();
  trailer.set(UNSUPPORTED_PARAMETER_TRAILER, error.parameter);
  return { code: status.INVALID_ARGUMENT, details: error.message, metadata: trailer };
}

/**
 * The SearchStream RPC: POST /v1/search/stream's messages as SourceResult, written as each marketplace
 * answers. A cancelled call (the gateway's client left, or its deadline passed) stops the search.
 */
function searchStreamHandler(marketplaces: readonly Marketplace[]) {
  return async (call: ServerWritableStream<SearchRequestMessage, SourceResultMessage>) => {
    echoRequestId(call);
    const request = checked(call.request);
    if (typeof request === "string") {
      call.emit("error", { code: status.INVALID_ARGUMENT, details: request });
      return;
    }
    try {
      checkSupported(request);
    } catch (error) {
      if (!(error instanceof UnsupportedParameterError)) throw error;
      call.emit("error", unsupported(error));
      return;
    }
    const abort = new AbortController();
    call.on("cancelled", () => abort.abort());
    try {
      for await (const message of streamSearch(marketplaces, request, abort.signal)) {
        if ("done" in message) call.write({ done: { ...message.done, sources: message.done.sources ?? [] } });
        else call.write(message);
      }
      if (!abort.signal.aborted) call.end();
    } catch {
      call.emit("error", { code: status.INTERNAL, details: "The service failed to handle the request." });
    }
  };
}

/** The Search RPC: the same validation and search as POST /v1/search, errors as gRPC statuses. */
function searchHandler(marketplaces: readonly Marketplace[]) {
  return async (
    call: ServerUnaryCall<SearchRequestMessage, SearchResponseMessage>,
    callback: sendUnaryData<SearchResponseMessage>,
  ) => {
    echoRequestId(call);
    const request = checked(call.request);
    if (typeof request === "string") {
      callback({ code: status.INVALID_ARGUMENT, details: request });
      return;
    }
    try {
      const answer = await aggregateSearch(marketplaces, request);
      callback(null, { ...answer, sources: answer.sources ?? [] });
    } catch (error) {
      if (error instanceof UnsupportedParameterError) {
        callback(unsupported(error));
        return;
      }
      callback({ code: status.INTERNAL, details: "The service failed to handle the request." });
    }
  };
}

/** Serves the Aggregator over gRPC (h2c) on a real socket, beside or instead of its HTTP surface. */
export async function listenGrpc(
  marketplaces: readonly Marketplace[],
  options: ListenOptions = {},
): Promise<RunningGrpcService> {
  const hostname = options.hostname ?? "127.0.0.1";
  const server = new Server();
  server.addService(aggregatorService, {
    Search: searchHandler(marketplaces),
    SearchStream: searchStreamHandler(marketplaces),
  });
  const address = hostname.includes(":") ? `[${hostname}]` : hostname;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${address}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  let stopped: Promise<void> | undefined;
  return {
    url: `grpc://${urlHost(hostname)}:${port}`,
    port,
    // Like the HTTP side: in-flight calls are dropped, there is no state worth draining.
    stop: () => {
      stopped ??= Promise.resolve(server.forceShutdown());
      return stopped;
    },
  };
}
