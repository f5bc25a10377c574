import type { AggregatorSearchRequest, AggregatorSearchResponse } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { CallContext } from "../call-context.ts";
import type { JsonClientOptions } from "../http-client.ts";

/** What the gateway needs of an Aggregator, whatever the transport (HTTP/JSON or gRPC). */
export interface AggregatorClient {
  /**
   * The answer checked against the contract and holding only its fields (read with the contract's
   * reader, models/contract-reader.ts): the search service passes it on as it is.
   */
  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse>;
  /**
   * The same search as each marketplace answers (docs/backends.md): `source` messages, then one `done`,
   * each checked against the contract. An Aggregator without the streaming endpoint is asked `search`
   * instead, and its answer told as one `source` per entry of its `sources`, then `done`. Aborting
   * `signal` cancels the upstream call; the iteration then ends without a message or an error.
   */
  searchStream(
    request: AggregatorSearchRequest,
    ctx: CallContext,
    signal: AbortSignal,
  ): AsyncIterable<AggregatorStreamMessage>;
  health(ctx: CallContext): Promise<void>;
  /** Releases the connection (a gRPC channel); calls after it fail. */
  close(): void;
}

/** Both transports take the same options; `rootCerts` only matters to gRPC. */
export interface AggregatorClientOptions extends JsonClientOptions {
  /**
   * grpcs:// only: the CAs to trust instead of the system's. For tests; an operator sets
   * GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, which grpc-js reads (Bun's NODE_EXTRA_CA_CERTS does not reach it).
   */
  rootCerts?: Buffer;
}
