import { compileReader } from "../../models/contract-reader.ts";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../../models/search.ts";
import type { CallContext } from "../call-context.ts";
import { JsonClient, type JsonClientOptions } from "../http-client.ts";
import type { AggregatorClient } from "./types.ts";

// Checked and pruned to the contract's fields in one pass: what comes back holds nothing unchecked.
const readSearch = compileReader(AggregatorSearchResponse);

export class HttpAggregatorClient implements AggregatorClient {
  readonly #http: JsonClient;

  constructor(options: JsonClientOptions) {
    this.#http = new JsonClient(options);
  }

  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return this.#http.call({ method: "POST", path: "/v1/search", body: request, ctx, schema: readSearch });
  }

  health(ctx: CallContext): Promise<void> {
    return this.#http.probe("/healthz", ctx);
  }

  close(): void {
    // fetch's connection pool is process-wide; there is nothing of this client's own to release.
  }
}
