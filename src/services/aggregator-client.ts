import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../models/search.ts";
import { GrpcAggregatorClient, type GrpcClientOptions } from "./grpc-aggregator-client.ts";
import { type CallContext, JsonClient, type JsonClientOptions } from "./http-client.ts";

const checkSearch = TypeCompiler.Compile(AggregatorSearchResponse);

/** What the gateway needs of an Aggregator, whatever the transport (HTTP/JSON or gRPC). */
export interface AggregatorClient {
  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse>;
  health(ctx: CallContext): Promise<void>;
  /** Releases the connection (a gRPC channel); calls after it fail. */
  close(): void;
}

export class HttpAggregatorClient implements AggregatorClient {
  readonly #http: JsonClient;

  constructor(options: JsonClientOptions) {
    this.#http = new JsonClient(options);
  }

  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return this.#http.call({ method: "POST", path: "/v1/search", body: request, ctx, schema: checkSearch });
  }

  health(ctx: CallContext): Promise<void> {
    return this.#http.probe("/healthz", ctx);
  }

  close(): void {
    // fetch's connection pool is process-wide; there is nothing of this client's own to release.
  }
}

export type AggregatorClientOptions = GrpcClientOptions;

/** The transport is the URL's scheme: grpc:// or grpcs:// speak gRPC, http(s):// speak HTTP/JSON. */
export function createAggregatorClient(options: AggregatorClientOptions): AggregatorClient {
  const scheme = new URL(options.baseUrl).protocol;
  if (scheme === "grpc:" || scheme === "grpcs:") return new GrpcAggregatorClient(options);
  return new HttpAggregatorClient(options);
}
