import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from "@grpc/grpc-js";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import {
  aggregatorService,
  type SearchRequestMessage,
  type SearchResponseMessage,
  searchRequestFromMessage,
  UNSUPPORTED_PARAMETER_TRAILER,
} from "../../models/aggregator-grpc.ts";
import { AggregatorSearchRequest } from "../../models/search.ts";
import { echoableRequestId, REQUEST_ID_HEADER } from "../request-id.ts";
import { type ListenOptions, urlHost } from "../service.ts";
import type { Marketplace } from "./marketplaces.ts";
import { UnsupportedParameterError } from "./refine.ts";
import { aggregateSearch } from "./search.ts";

const checkRequest = TypeCompiler.Compile(AggregatorSearchRequest);

export interface RunningGrpcService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The Search RPC: the same validation and search as POST /v1/search, errors as gRPC statuses. */
function searchHandler(marketplaces: readonly Marketplace[]) {
  return async (
    call: ServerUnaryCall<SearchRequestMessage, SearchResponseMessage>,
    callback: sendUnaryData<SearchResponseMessage>,
  ) => {
    const id = echoableRequestId(call.metadata.get(REQUEST_ID_HEADER)[0]);
    if (id !== undefined) {
      const echo = new Metadata();
      echo.set(REQUEST_ID_HEADER, id);
      call.sendMetadata(echo);
    }
    const request = searchRequestFromMessage(call.request);
    if (!checkRequest.Check(request)) {
      const first = checkRequest.Errors(request).First();
      const field = first?.path.replace(/^\//, "") || "request";
      callback({ code: status.INVALID_ARGUMENT, details: `${field}: ${first?.message ?? "invalid"}` });
      return;
    }
    try {
      const answer = await aggregateSearch(marketplaces, request);
      callback(null, { ...answer, sources: answer.sources ?? [] });
    } catch (error) {
      if (error instanceof UnsupportedParameterError) {
        // The contract's refusal of one parameter: INVALID_ARGUMENT, the parameter in a trailer.
        const trailer = new Metadata();
        trailer.set(UNSUPPORTED_PARAMETER_TRAILER, error.parameter);
        callback({ code: status.INVALID_ARGUMENT, details: error.message, metadata: trailer });
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
  server.addService(aggregatorService, { Search: searchHandler(marketplaces) });
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
