import { TypeCompiler } from "@sinclair/typebox/compiler";
import { t } from "elysia";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../models/search.ts";
import { type CallContext, JsonClient } from "./http-client.ts";

const checkSearch = TypeCompiler.Compile(AggregatorSearchResponse);
const checkHealth = TypeCompiler.Compile(t.Object({}));

/** What the gateway needs of an Aggregator, whatever the transport (HTTP/JSON now, gRPC later). */
export interface AggregatorClient {
  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse>;
  health(ctx: CallContext): Promise<void>;
}

export interface HttpAggregatorOptions {
  baseUrl: string;
  timeoutMs: number;
}

export class HttpAggregatorClient implements AggregatorClient {
  readonly #http: JsonClient;

  constructor(options: HttpAggregatorOptions) {
    this.#http = new JsonClient(options);
  }

  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return this.#http.call({ method: "POST", path: "/v1/search", body: request, ctx, schema: checkSearch });
  }

  async health(ctx: CallContext): Promise<void> {
    await this.#http.call({ method: "GET", path: "/healthz", ctx, schema: checkHealth });
  }
}

export function createAggregatorClient(options: HttpAggregatorOptions): AggregatorClient {
  return new HttpAggregatorClient(options);
}
