import { compileReader } from "../../models/contract-reader.ts";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { CallContext } from "../call-context.ts";
import { JsonClient, type JsonClientOptions } from "../http-client.ts";
import { HttpSearchStream, StreamUnsupported } from "./http-stream.ts";
import { streamOfAnswer } from "./stream.ts";
import type { AggregatorClient } from "./types.ts";

// Checked and pruned to the contract's fields in one pass: what comes back holds nothing unchecked.
const readSearch = compileReader(AggregatorSearchResponse);

export class HttpAggregatorClient implements AggregatorClient {
  readonly #http: JsonClient;
  readonly #stream: HttpSearchStream;

  constructor(options: JsonClientOptions) {
    this.#http = new JsonClient(options);
    this.#stream = new HttpSearchStream(options);
  }

  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return this.#http.call({ method: "POST", path: "/v1/search", body: request, ctx, schema: readSearch });
  }

  async *searchStream(
    request: AggregatorSearchRequest,
    ctx: CallContext,
    signal: AbortSignal,
  ): AsyncGenerator<AggregatorStreamMessage> {
    try {
      yield* this.#stream.open(request, ctx, signal);
    } catch (error) {
      if (!(error instanceof StreamUnsupported)) throw error;
      // Only a 404/405 before any message, so nothing was yielded yet and nothing is told twice.
      yield* streamOfAnswer(await this.search(request, ctx));
    }
  }

  health(ctx: CallContext): Promise<void> {
    return this.#http.probe("/healthz", ctx);
  }

  close(): void {
    // fetch's connection pool is process-wide; there is nothing of this client's own to release.
  }
}
