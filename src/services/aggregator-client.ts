import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../models/search.ts";
import { type CallContext, JsonClient, type JsonClientOptions } from "./http-client.ts";

const checkSearch = TypeCompiler.Compile(AggregatorSearchResponse);

/** What the gateway needs of an Aggregator, whatever the transport (HTTP/JSON now, gRPC later). */
export interface AggregatorClient {
  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse>;
  health(ctx: CallContext): Promise<void>;
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
}

export function createAggregatorClient(options: JsonClientOptions): AggregatorClient {
  return new HttpAggregatorClient(options);
}
