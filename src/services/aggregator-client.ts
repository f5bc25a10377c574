import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../models/search.ts";
import type { GrpcClientOptions } from "./grpc-aggregator-client.ts";
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

/**
 * The gRPC client, loaded on first use: @grpc/grpc-js is the heaviest module of the program, and an
 * HTTP deployment (or a one-off CLI command) should not pay for it at every start.
 */
class LazyGrpcAggregatorClient implements AggregatorClient {
  #client: Promise<AggregatorClient> | undefined;

  constructor(private readonly options: GrpcClientOptions) {}

  #load(): Promise<AggregatorClient> {
    this.#client ??= import("./grpc-aggregator-client.ts").then(
      (m) => new m.GrpcAggregatorClient(this.options),
    );
    return this.#client;
  }

  async search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return (await this.#load()).search(request, ctx);
  }

  async health(ctx: CallContext): Promise<void> {
    return (await this.#load()).health(ctx);
  }

  close(): void {
    void this.#client?.then((client) => client.close());
  }
}

export type AggregatorClientOptions = GrpcClientOptions;

/** The transport is the URL's scheme: grpc:// or grpcs:// speak gRPC, http(s):// speak HTTP/JSON. */
export function createAggregatorClient(options: AggregatorClientOptions): AggregatorClient {
  const scheme = new URL(options.baseUrl).protocol;
  if (scheme === "grpc:" || scheme === "grpcs:") return new LazyGrpcAggregatorClient(options);
  return new HttpAggregatorClient(options);
}
