import { type ChannelOptions, Client, credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { settings } from "../../core/config/settings.ts";
import {
  type SearchResponseMessage,
  type SourceResultMessage,
  searchMethod,
  searchResponseFromMessage,
  searchStreamMethod,
  streamMessageFromMessage,
  UNSUPPORTED_PARAMETER_TRAILER,
} from "../../models/aggregator-grpc.ts";
import { compileReader } from "../../models/contract-reader.ts";
import { type AggregatorSearchRequest, AggregatorSearchResponse } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { CallContext } from "../call-context.ts";
import { type CallPolicy, callPolicy, resilientCall, type Verdict } from "../resilience/policy.ts";
import { clientParameter } from "../unsupported-parameter.ts";
import { GrpcContractError, GrpcStatusError } from "./grpc-errors.ts";
import { streamMessageProblem, streamOfAnswer } from "./stream.ts";
import type { AggregatorClient, AggregatorClientOptions } from "./types.ts";

const readSearch = compileReader(AggregatorSearchResponse);
const SEARCH = searchMethod.path;
const SEARCH_STREAM = searchStreamMethod.path;

// The status codes of a server working as specified but refusing this call (HTTP's 4xx): they neither
// count against its circuit nor are worth a retry.
const CALLER_FAULTS = new Set([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.PERMISSION_DENIED,
  status.FAILED_PRECONDITION,
  status.OUT_OF_RANGE,
  status.UNAUTHENTICATED,
  status.ABORTED,
  status.RESOURCE_EXHAUSTED,
]);

export function classifyGrpc(error: unknown, cutByDeadline: boolean): Verdict {
  if (!(error instanceof GrpcStatusError)) return "failure";
  if (error.code === status.UNAVAILABLE) return "transient";
  if (error.code === status.DEADLINE_EXCEEDED) return cutByDeadline ? "failure" : "transient";
  return CALLER_FAULTS.has(error.code) ? "healthy" : "failure";
}

/** host:port to dial; a URL without a port gets its scheme's usual one, as http(s) URLs do. */
function targetOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "grpcs:" ? "443" : "80")}`;
}

/**
 * The Aggregator over gRPC (grpc:// is h2c, grpcs:// is TLS), under the same rules as the HTTP client:
 * each Search goes through `resilientCall`, its attempt timeout sent as the gRPC deadline, and the answer,
 * converted to the JSON contract's shape, is checked by the same schema before anyone uses it.
 */
export class GrpcAggregatorClient implements AggregatorClient {
  readonly #client: Client;
  readonly #timeoutMs: number;
  readonly #maxBody: number;
  readonly #policy: CallPolicy;

  constructor(options: AggregatorClientOptions) {
    const url = new URL(options.baseUrl);
    this.#timeoutMs = options.timeoutMs;
    this.#maxBody = options.maxBodyBytes ?? settings.upstreamMaxBytes.default;
    const channel: ChannelOptions = {
      "grpc.max_receive_message_length": this.#maxBody,
      // The circuit breaker already paces calls to a failing Aggregator; a long reconnect backoff on top
      // would keep failing them for up to two minutes after it is back.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 1000,
    };
    const secure = url.protocol === "grpcs:";
    const creds = secure ? credentials.createSsl(options.rootCerts ?? null) : credentials.createInsecure();
    this.#client = new Client(targetOf(url), creds, channel);
    this.#policy = callPolicy(options);
  }

  search(request: AggregatorSearchRequest, ctx: CallContext): Promise<AggregatorSearchResponse> {
    return resilientCall(
      this.#policy,
      ctx,
      (timeoutMs, traceparent) => this.#search(request, ctx, timeoutMs, traceparent ?? ctx.traceparent),
      classifyGrpc,
    );
  }

  /**
   * SearchStream, server streaming. The call is opened through `resilientCall` up to its first message
   * (or its end), so the breaker, retries and spans apply to getting it going; the whole stream runs
   * under one gRPC deadline, the attempt timeout. UNIMPLEMENTED (an Aggregator without the RPC) falls
   * back to Search. An abort of `signal` is `call.cancel()`, which the server sees as cancelled.
   */
  async *searchStream(
    request: AggregatorSearchRequest,
    ctx: CallContext,
    signal: AbortSignal,
  ): AsyncGenerator<AggregatorStreamMessage> {
    if (signal.aborted) return;
    let opened: { call: ReturnType<Client["makeServerStreamRequest"]>; first: IteratorResult<unknown> };
    try {
      opened = await resilientCall(
        this.#policy,
        ctx,
        async (timeoutMs, traceparent) => {
          const call = this.#client.makeServerStreamRequest(
            SEARCH_STREAM,
            searchStreamMethod.requestSerialize,
            searchStreamMethod.responseDeserialize,
            request,
            this.#metadata(ctx, traceparent ?? ctx.traceparent),
            { deadline: Date.now() + timeoutMs },
          );
          const cancel = () => call.cancel();
          signal.addEventListener("abort", cancel, { once: true });
          try {
            return { call, first: await call[Symbol.asyncIterator]().next() };
          } catch (error) {
            signal.removeEventListener("abort", cancel);
            throw this.#failure(error as ServiceError, SEARCH_STREAM);
          }
        },
        classifyGrpc,
      );
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof GrpcStatusError && error.code === status.UNIMPLEMENTED) {
        yield* streamOfAnswer(await this.search(request, ctx));
        return;
      }
      throw error;
    }
    const { call } = opened;
    const iterator = call[Symbol.asyncIterator]();
    let next = opened.first;
    let done = false;
    try {
      while (!next.done) {
        if (done) throw new GrpcContractError(SEARCH_STREAM, "streamed a message after `done`");
        const message = streamMessageFromMessage(next.value as SourceResultMessage);
        const problem = streamMessageProblem(message);
        if (problem) throw new GrpcContractError(SEARCH_STREAM, problem);
        const checked = message as AggregatorStreamMessage;
        if ("done" in checked) done = true;
        yield checked;
        try {
          next = await iterator.next();
        } catch (error) {
          if (signal.aborted) return;
          throw this.#failure(error as ServiceError, SEARCH_STREAM);
        }
      }
      if (!done && !signal.aborted)
        throw new GrpcContractError(SEARCH_STREAM, "ended the stream without a `done` message");
    } finally {
      // Stopped early (the consumer left, or a message broke the contract): the server is told.
      if (!done || !next.done) call.cancel();
    }
  }

  /**
   * Ready when the channel connects (TCP, TLS for grpcs, the HTTP/2 handshake) within the probe's time:
   * it needs nothing of the server beyond the Search contract, e.g. no grpc.health.v1 service. Like the
   * HTTP probe it bypasses the breaker and retries.
   */
  health(_ctx: CallContext, timeoutMs = 1000): Promise<void> {
    const wait = Math.min(timeoutMs, this.#timeoutMs);
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + wait, (error) => {
        if (error) reject(new GrpcStatusError("connect", status.UNAVAILABLE, error.message));
        else resolve();
      });
    });
  }

  close(): void {
    this.#client.close();
  }

  async #search(
    request: AggregatorSearchRequest,
    ctx: CallContext,
    timeoutMs: number,
    traceparent: string | undefined,
  ): Promise<AggregatorSearchResponse> {
    const metadata = this.#metadata(ctx, traceparent);
    const message = await new Promise<SearchResponseMessage | undefined>((resolve, reject) => {
      this.#client.makeUnaryRequest(
        SEARCH,
        searchMethod.requestSerialize,
        searchMethod.responseDeserialize,
        request,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, value?: SearchResponseMessage) =>
          error ? reject(this.#failure(error)) : resolve(value),
      );
    });
    const answer = message == null ? undefined : searchResponseFromMessage(message);
    const read = readSearch.read(answer);
    if (read === undefined) {
      const where = answer === undefined ? "" : readSearch.firstError(answer);
      throw new GrpcContractError(SEARCH, `answered with a message that does not match its contract${where}`);
    }
    return read;
  }

  #metadata(ctx: CallContext, traceparent: string | undefined): Metadata {
    const metadata = new Metadata();
    metadata.set("x-request-id", ctx.requestId);
    if (traceparent) metadata.set("traceparent", traceparent);
    return metadata;
  }

  #failure(error: ServiceError, method = SEARCH): Error {
    // grpc-js reports an answer over max_receive_message_length as RESOURCE_EXHAUSTED, which from a server
    // would mean "refused, try later"; here the server sent more than the contract allows.
    if (
      error.code === status.RESOURCE_EXHAUSTED &&
      error.details.startsWith("Received message larger than max")
    ) {
      return new GrpcContractError(method, `answered with a message over the ${this.#maxBody} byte limit`);
    }
    const named =
      error.code === status.INVALID_ARGUMENT
        ? clientParameter(error.metadata?.get(UNSUPPORTED_PARAMETER_TRAILER)[0])
        : undefined;
    return new GrpcStatusError(method, error.code, error.details, named);
  }
}
