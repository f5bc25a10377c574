import { GatewayError } from "../core/errors.ts";
import type { AggregatorSearchResponse } from "../models/search.ts";
import type { MarketplaceResult } from "../models/search-stream.ts";
import type { AggregatorClient } from "./aggregator/index.ts";
import type { CallContext } from "./call-context.ts";
import { Limiter } from "./limiter.ts";
import { keepSearch, type RecentSearch, recentSearch } from "./recent-searches.ts";
import { DeadlineExceeded, remainingMs } from "./resilience/deadline.ts";
import type { SearchAnswer } from "./search-answer.ts";
import type { CacheHit, SearchCache, SharedAnswer } from "./search-cache.ts";
import { pageOf, type SearchCursors } from "./search-cursor.ts";
import { aggregatorRequest } from "./search-params.ts";
import {
  type Admission,
  answer,
  type CacheState,
  type NormalizedSearch,
  toProduct,
  toSource,
} from "./search-service.ts";
import { upstreamError } from "./upstream-errors.ts";

/** What one stream's client is told, in order: any `source`s, then exactly one `done` or `error`. */
export type StreamEvent =
  | { event: "source"; data: MarketplaceResult }
  | { event: "done"; answer: SearchAnswer }
  | { event: "error"; error: GatewayError };

export interface OpenedStream {
  /** HIT: the cached answer, one `done`; MISS: the Aggregator's stream (shared with identical ones). */
  cache: CacheState;
  /**
   * Starts telling `listener` the events (at once, those that happened before it subscribed); the
   * returned function stops it. The last subscriber to stop cancels the upstream call. `interrupt`,
   * when it aborts, ends this subscriber's stream with its reason (a `GatewayError`) as the `error`
   * event, gives the quota back, and leaves the upstream call to any other subscriber.
   */
  subscribe(listener: (event: StreamEvent) => void, interrupt?: AbortSignal): () => void;
}

/** What the shared upstream stream tells every subscriber: sources as they come, then the shared text. */
type SharedEvent =
  | { kind: "source"; data: MarketplaceResult }
  | { kind: "done"; text: string }
  | { kind: "failed"; error: unknown };

/** One upstream stream and everyone listening to it; events are kept so that a late joiner hears them all. */
class Broadcast {
  readonly events: SharedEvent[] = [];
  readonly #listeners = new Set<(event: SharedEvent) => void>();
  readonly #abort = new AbortController();
  #over = false;

  constructor(private readonly onIdle: () => void) {}

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get over(): boolean {
    return this.#over;
  }

  emit(event: SharedEvent): void {
    if (this.#over) return;
    if (event.kind !== "source") this.#over = true;
    this.events.push(event);
    for (const listener of [...this.#listeners]) listener(event);
    if (this.#over) this.#listeners.clear();
  }

  listen(listener: (event: SharedEvent) => void): () => void {
    for (const event of this.events) listener(event);
    if (this.#over) return () => {};
    this.#listeners.add(listener);
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#over) return;
      // Nobody is listening any more: the upstream call is cancelled and nothing is cached.
      this.#over = true;
      this.#abort.abort();
      this.onIdle();
    };
  }
}

/**
 * Progressive search (`GET /search/stream`): the same admission, cache key and quota as `SearchService`
 * (its `admit` decides; this only serves), told as the Aggregator's marketplaces answer. A fresh cached
 * answer is one `done`. Identical concurrent streams share one upstream stream, like the cache's single
 * flight; a stream that completes stores its merged answer under the key `/search` reads. Each client's
 * stream ends at its own deadline with an `error` (504), and a failed one gives its quota back, or is
 * answered from a stale entry when there is one, as `/search` would.
 */
export class SearchStreams {
  readonly #live = new Map<string, Broadcast>();
  /** Streams that joined one already running instead of calling the Aggregator; for tests and metrics. */
  coalesced = 0;

  constructor(
    private readonly aggregator: AggregatorClient,
    private readonly limiter: Limiter,
    private readonly cache: SearchCache,
    private readonly cursors?: SearchCursors,
  ) {}

  /** Upstream streams in progress; for tests. */
  get live(): number {
    return this.#live.size;
  }

  /** Throws what `SearchService.serve` would before answering (a refusal, invalid input); else the stream. */
  async open(admission: Admission, ctx: CallContext): Promise<OpenedStream> {
    const { limits, search } = admission;
    if (!limits.allowed) throw Limiter.refusal(limits);
    if (!search) throw admission.invalid;
    const recent = recentSearch(search);
    const { key } = recent;
    const hit = await this.cache.lookup(key);
    if (hit !== undefined) keepSearch(search.query, recent);
    if (hit?.state === "fresh") {
      const done: StreamEvent = { event: "done", answer: answer(hit.text, search, recent, ctx, true) };
      return {
        cache: "HIT",
        subscribe: (listener) => {
          listener(done);
          return () => {};
        },
      };
    }
    const broadcast = this.#broadcast(key, search, ctx);
    return {
      cache: "MISS",
      subscribe: (listener, interrupt) =>
        this.#subscribe(broadcast, listener, { search, recent, ctx, hit, admission, interrupt }),
    };
  }

  #broadcast(key: string, search: NormalizedSearch, ctx: CallContext): Broadcast {
    const running = this.#live.get(key);
    if (running && !running.over) {
      this.coalesced += 1;
      return running;
    }
    const broadcast = new Broadcast(() => this.#forget(key, broadcast));
    this.#live.set(key, broadcast);
    void this.#pump(key, broadcast, search, ctx).finally(() => this.#forget(key, broadcast));
    return broadcast;
  }

  #forget(key: string, broadcast: Broadcast): void {
    if (this.#live.get(key) === broadcast) this.#live.delete(key);
  }

  async #pump(key: string, broadcast: Broadcast, search: NormalizedSearch, ctx: CallContext): Promise<void> {
    const { signal } = broadcast;
    try {
      const request = aggregatorRequest(ctx.requestId, search);
      for await (const message of this.aggregator.searchStream(request, ctx, signal)) {
        if (signal.aborted) return;
        if ("source" in message) {
          broadcast.emit({ kind: "source", data: sourceOf(message.source, search.limit) });
        } else {
          const text = await this.cache.save(key, sharedOf(message.done, search, this.cursors));
          broadcast.emit({ kind: "done", text });
          return;
        }
      }
    } catch (error) {
      if (!signal.aborted) broadcast.emit({ kind: "failed", error });
    }
  }

  #subscribe(
    broadcast: Broadcast,
    listener: (event: StreamEvent) => void,
    {
      search,
      recent,
      ctx,
      hit,
      admission,
      interrupt,
    }: {
      search: NormalizedSearch;
      recent: RecentSearch;
      ctx: CallContext;
      hit: CacheHit | undefined;
      admission: Admission;
      interrupt: AbortSignal | undefined;
    },
  ): () => void {
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stop = () => {};
    const interrupted = () => end({ event: "error", error: asGatewayError(interrupt?.reason) }, true);
    const settle = () => {
      clearTimeout(timer);
      interrupt?.removeEventListener("abort", interrupted);
      stop();
    };
    const end = (event: StreamEvent, failed: boolean) => {
      if (ended) return;
      ended = true;
      settle();
      if (failed) void this.limiter.release(admission.limits).catch(() => {});
      listener(event);
    };
    const fail = (error: unknown) => {
      if (hit) end({ event: "done", answer: answer(hit.text, search, recent, ctx, true) }, false);
      else end({ event: "error", error: asGatewayError(error) }, true);
    };
    const left = remainingMs(ctx);
    if (left !== Number.POSITIVE_INFINITY)
      timer = setTimeout(() => fail(new DeadlineExceeded()), Math.max(0, left));
    // Not `fail`: a stale answer would hide from the client that it has to go elsewhere, and it is the
    // drain that ends it, not the Aggregator.
    if (interrupt?.aborted) interrupted();
    else interrupt?.addEventListener("abort", interrupted, { once: true });
    stop = broadcast.listen((event) => {
      if (ended) return;
      if (event.kind === "source") listener({ event: "source", data: event.data });
      else if (event.kind === "done")
        end({ event: "done", answer: answer(event.text, search, recent, ctx, false) }, false);
      else fail(event.error);
    });
    // Replayed events (or an interrupt already aborted) may have ended it before `stop` existed.
    if (ended) stop();
    return () => {
      if (ended) return;
      ended = true;
      settle();
    };
  }
}

/** What the client is told of a failed stream; anything the upstream mapping does not know is ours (500). */
function asGatewayError(error: unknown): GatewayError {
  const mapped = upstreamError("Aggregator", error);
  if (mapped instanceof GatewayError) return mapped;
  return new GatewayError(
    500,
    "internal",
    "Internal server error",
    "Something went wrong on our side; the request id identifies it.",
    { cause: mapped },
  );
}

function sourceOf(result: MarketplaceResult, limit: number): MarketplaceResult {
  return { ...toSource(result), results: result.results.slice(0, limit).map(toProduct) };
}

/** The same shared answer as `/search` stores under the same key: the page and its cursor included. */
function sharedOf(
  done: AggregatorSearchResponse,
  search: NormalizedSearch,
  cursors: SearchCursors | undefined,
): SharedAnswer {
  const { limit } = search;
  const { page, next_cursor } = pageOf(cursors, search, done.has_more === true);
  const shared: SharedAnswer = {
    limit,
    results: done.results.slice(0, limit).map(toProduct),
    ...(done.sources ? { sources: done.sources.map(toSource) } : {}),
    page,
    next_cursor,
  };
  if (done.rate_date !== undefined) shared.rate_date = done.rate_date;
  return shared;
}
