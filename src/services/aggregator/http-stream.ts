import { settings } from "../../core/config/settings.ts";
import type { AggregatorSearchRequest } from "../../models/search.ts";
import type { AggregatorStreamMessage } from "../../models/search-stream.ts";
import type { CallContext } from "../call-context.ts";
import { ContractError, HTTPError, NetworkError, TimeoutError, type UpstreamRequest } from "../errors.ts";
import { type JsonClientOptions, problemOf } from "../http-client.ts";
import { remainingMs } from "../resilience/deadline.ts";
import { type CallPolicy, callPolicy, resilientCall, type Verdict } from "../resilience/policy.ts";
import { streamMessageProblem } from "./stream.ts";

const PATH = "/v1/search/stream";
const NDJSON = /^application\/(?:x-ndjson|jsonl|x-jsonlines)\b/i;
const RETRYABLE_STATUS = new Set([502, 503]);

/** As the unary client classifies: 4xx is the Aggregator working as specified, 502/503 and resets pass. */
function classify(error: unknown, cutByDeadline: boolean): Verdict {
  if (error instanceof HTTPError) {
    if (error.response.status >= 400 && error.response.status < 500) return "healthy";
    return RETRYABLE_STATUS.has(error.response.status) ? "transient" : "failure";
  }
  if (error instanceof NetworkError) return "transient";
  if (error instanceof TimeoutError) return cutByDeadline ? "failure" : "transient";
  return "failure";
}

/** The Aggregator said it has no streaming endpoint: the caller falls back to the unary search. */
export class StreamUnsupported extends Error {
  constructor() {
    super(`POST ${PATH} is not served by this Aggregator`);
    this.name = "StreamUnsupported";
  }
}

/**
 * POST /v1/search/stream, answered as NDJSON: one contract message per line, each checked before it is
 * yielded. Opening the stream (up to its headers) goes through `resilientCall` like any call, so the
 * breaker, retries and spans apply; the whole stream, body included, is bounded by the attempt timeout
 * and `upstreamMaxBytes`. A `signal` abort cancels the fetch, which closes the connection upstream.
 */
export class HttpSearchStream {
  readonly #base: string;
  readonly #maxBody: number;
  readonly #policy: CallPolicy;

  constructor(options: JsonClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#maxBody = options.maxBodyBytes ?? settings.upstreamMaxBytes.default;
    this.#policy = callPolicy(options);
  }

  async *open(
    body: AggregatorSearchRequest,
    ctx: CallContext,
    signal: AbortSignal,
  ): AsyncGenerator<AggregatorStreamMessage> {
    const request: UpstreamRequest = { method: "POST", url: this.#base + PATH };
    const abort = new AbortController();
    const cancel = () => abort.abort(signal.reason);
    signal.addEventListener("abort", cancel, { once: true });
    const timeoutMs = Math.max(1, Math.min(this.#policy.timeoutMs, remainingMs(ctx)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new DOMException("timed out", "TimeoutError"));
    }, timeoutMs);
    const failure = (error: unknown) => {
      if (timedOut) return new TimeoutError(request, Math.floor(timeoutMs));
      if (error instanceof ContractError || error instanceof HTTPError) return error;
      return new NetworkError(request, error);
    };
    let cancelBody: (() => Promise<void>) | undefined;
    try {
      let response: Response;
      try {
        response = await resilientCall(
          this.#policy,
          ctx,
          async (attemptMs, traceparent) => {
            const answer = await fetch(
              request.url,
              this.#init(body, ctx, attemptMs, traceparent, abort.signal),
            ).catch((error) => {
              throw failure(error);
            });
            if (!answer.ok) {
              // A 400 naming an unsupported parameter is read, as for the unary search.
              const problem = answer.status === 400 ? await problemOf(answer) : undefined;
              if (problem === undefined) await answer.body?.cancel().catch(() => {});
              throw new HTTPError(request, answer, problem);
            }
            return answer;
          },
          classify,
        );
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof HTTPError && (error.response.status === 404 || error.response.status === 405))
          throw new StreamUnsupported();
        throw error;
      }
      const type = response.headers.get("content-type") ?? "";
      if (!NDJSON.test(type)) {
        await response.body?.cancel().catch(() => {});
        throw new ContractError(request, response, `answered with content type "${type}", not NDJSON`);
      }
      const reader = response.body?.getReader();
      if (!reader) throw new ContractError(request, response, "answered without a body");
      cancelBody = () => reader.cancel();
      const decoder = new TextDecoder();
      let buffered = "";
      let size = 0;
      let done = false;
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          if (signal.aborted) return;
          throw failure(error);
        }
        if (chunk.done) break;
        size += chunk.value.byteLength;
        if (size > this.#maxBody)
          throw new ContractError(request, response, `streamed more than ${this.#maxBody} bytes`);
        buffered += decoder.decode(chunk.value, { stream: true });
        let newline = buffered.indexOf("\n");
        while (newline !== -1) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf("\n");
          if (line === "") continue;
          if (done) throw new ContractError(request, response, "streamed a message after `done`");
          const message = parsed(line, request, response);
          if ("done" in message) done = true;
          yield message;
        }
      }
      if (signal.aborted) return;
      if (buffered.trim() !== "") {
        if (done) throw new ContractError(request, response, "streamed a message after `done`");
        const message = parsed(buffered.trim(), request, response);
        if ("done" in message) done = true;
        yield message;
      }
      if (!done) throw new ContractError(request, response, "ended the stream without a `done` message");
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", cancel);
      // A consumer that stopped early (or a failure above) closes the connection, which the Aggregator sees.
      if (cancelBody) await cancelBody().catch(() => {});
      abort.abort();
    }
  }

  #init(
    body: AggregatorSearchRequest,
    ctx: CallContext,
    timeoutMs: number,
    traceparent: string | undefined,
    signal: AbortSignal,
  ): RequestInit {
    const headers: Record<string, string> = {
      accept: "application/x-ndjson",
      "content-type": "application/json",
      "x-request-id": ctx.requestId,
      "x-request-timeout-ms": String(Math.floor(timeoutMs)),
    };
    const parent = traceparent ?? ctx.traceparent;
    if (parent) headers.traceparent = parent;
    // Never followed, as for every backend call (http-client.ts says why).
    return { method: "POST", headers, body: JSON.stringify(body), signal, redirect: "manual" };
  }
}

function parsed(line: string, request: UpstreamRequest, response: Response): AggregatorStreamMessage {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    throw new ContractError(request, response, "streamed a line that is not valid JSON");
  }
  const problem = streamMessageProblem(message);
  if (problem) throw new ContractError(request, response, problem);
  return message as AggregatorStreamMessage;
}
