import type { AggregatorSearchRequest, AggregatorSearchResponse } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { CallContext } from "../call-context.ts";
import { HttpAggregatorClient } from "./http.ts";
import type { AggregatorClient, AggregatorClientOptions } from "./types.ts";

export { HttpAggregatorClient } from "./http.ts";
export type { AggregatorClient, AggregatorClientOptions } from "./types.ts";

/**
 * The gRPC client, loaded on first use: @grpc/grpc-js is the heaviest module of the program, and an
 * HTTP deployment (or a one-off CLI command) should not pay for it at every start. Nothing else on the
 * HTTP path imports grpc-js (the gRPC errors and their status table live in ./grpc-errors.ts); a test
 * spawns a process to keep it so.
 */
class LazyGrpcAggregatorClient implements AggregatorClient {
  #client: Promise<AggregatorClient> | undefined;

  constructor(private readonly options: AggregatorClientOptions) {}

  #load(): Promise<AggregatorClient> {
    this.#client ??= import("./grpc.ts").then((m) => new m.GrpcAggregatorClient(this.options));
    return this.#client;
  }

  async search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return (await this.#load()).search(request, ctx);
  }

  async *searchStream(
    request: AggregatorSearchRequest,
    ctx: CallContext,
    signal: AbortSignal,
  ): AsyncGenerator<AggregatorStreamMessage> {
    yield* (await this.#load()).searchStream(request, ctx, signal);
  }

  async health(ctx: CallContext): Promise<void> {
    return (await this.#load()).health(ctx);
  }

  close(): void {
    void this.#client?.then((client) => client.close());
  }
}

/** The transport is the URL's scheme: grpc:// or grpcs:// speak gRPC, http(s):// speak HTTP/JSON. */
export function createAggregatorClient(options: AggregatorClientOptions): AggregatorClient {
  const scheme = new URL(options.baseUrl).protocol;
  if (scheme === "grpc:" || scheme === "grpcs:") return new LazyGrpcAggregatorClient(options);
  return new HttpAggregatorClient(options);
}
