import { LRUCache } from "lru-cache";
import type { SearchResponse } from "../models/search.ts";
import { stringCharge } from "../stores/cache-charge.ts";
import type { CacheEntry, CacheStore } from "../stores/cache-store.ts";
import { canonicalSearch, type SearchFilters } from "./search-params.ts";

export interface SearchCacheOptions {
  /** How long an answer is fresh; 0 disables caching (the store is never called). */
  ttlMs: number;
  /** How long after that it may still be served as stale (e.g. while the Aggregator is down). */
  staleMs: number;
  /** Store failures, for logs: they never fail a request. */
  onError?: (error: unknown) => void;
  /** Must be the clock the store stamps `storedAt` with; injectable for tests. */
  clock?: () => number;
}

/** What is cached per search: the part of a SearchResponse that is the same for every caller. */
export type SharedAnswer = Pick<
  SearchResponse,
  "limit" | "results" | "sources" | "page" | "next_cursor" | "rate_date"
>;

export interface CacheHit {
  state: "fresh" | "stale";
  /** The stored SharedAnswer as JSON, checked to be one. */
  text: string;
  ageMs: number;
}

const CHECKED_MAX = 256;
// The memo's texts are the store's own strings while the store keeps them (no memory of their own), but
// it can outlive them: an answer the store has dropped, or a Redis reply, is held here. Bounded in bytes
// as well as entries, so that is at most 1 MiB beyond GATEWAY_CACHE_MAX_BYTES, whatever the answers' size.
const CHECKED_MAX_BYTES = 1024 * 1024;

// Part of every key: bump it when the stored shape changes, and old entries are simply never read.
// 2: the shared part of an answer (limit, results, sources) instead of a whole SearchResponse.
// 3: sort, price filters, currency, sources and the page's offset in the key; page, next_cursor and
//    rate_date in the answer.
const KEY_VERSION = 3;

/**
 * Search answers by normalized search, fresh then stale, plus single flight so that a burst of the same
 * search costs one Aggregator call. A cache is an optimisation: any store failure is reported and
 * treated as a miss, never passed on.
 */
export class SearchCache {
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #checked = new LRUCache<string, string>({
    max: CHECKED_MAX,
    maxSize: CHECKED_MAX_BYTES,
    sizeCalculation: (text, key) => Math.max(1, stringCharge(key) + stringCharge(text)),
  });
  /** Calls that joined a load already in flight instead of starting one; for metrics. */
  coalesced = 0;
  readonly #ttlMs: number;
  readonly #staleMs: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #clock: () => number;

  constructor(
    private readonly store: CacheStore,
    options: SearchCacheOptions,
  ) {
    for (const [name, ms] of [
      ["ttlMs", options.ttlMs],
      ["staleMs", options.staleMs],
    ] as const) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a finite number >= 0`);
    }
    this.#ttlMs = options.ttlMs;
    this.#staleMs = options.staleMs;
    this.#onError = options.onError;
    this.#clock = options.clock ?? Date.now;
  }

  /**
   * Searches that must give the same answer share a key: case, surrounding and repeated whitespace,
   * Unicode composition and category order do not matter, nor do the order of `sources`, the case of
   * `currency` or an explicit default sort (see canonicalSearch). JSON keeps the parts apart (no two
   * different searches join to the same string); the hash keeps keys short whatever the query's length.
   * Not memoized here: the request path asks recentSearch (recent-searches.ts), which keeps the key of
   * each hot search.
   */
  static key(search: {
    query: string;
    categories: string[];
    limit: number;
    filters?: SearchFilters | undefined;
    offset?: number | undefined;
  }): string {
    // Each page is an entry of its own: the offset is part of the key, the cursor's expiry is not.
    const parts = JSON.stringify([KEY_VERSION, ...canonicalSearch(search), search.offset ?? 0]);
    return Bun.CryptoHasher.hash("sha256", parts, "base64url");
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  /** Loads in progress; for tests. */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Without a promise when the store answers without one (the in-process store); callers await it. */
  lookup(key: string): CacheHit | undefined | Promise<CacheHit | undefined> {
    if (!this.enabled) return undefined;
    let entry: ReturnType<CacheStore["get"]>;
    try {
      entry = this.store.get(key);
    } catch (error) {
      this.#report(error);
      return undefined;
    }
    if (entry instanceof Promise) {
      return entry.then(
        (found) => this.#hit(key, found),
        (error) => {
          this.#report(error);
          return undefined;
        },
      );
    }
    return this.#hit(key, entry);
  }

  #hit(key: string, entry: CacheEntry | undefined): CacheHit | undefined {
    if (!entry) return undefined;
    // A storedAt slightly ahead of this clock (rounding, skew) is still an answer just stored.
    const ageMs = Math.max(0, this.#clock() - entry.storedAt);
    if (ageMs >= this.#ttlMs + this.#staleMs) return undefined;
    // Parsing to check was the largest cost of a hit on a skewed mix, where most hot keys are not among
    // the few whose last text is remembered: the in-process store's texts are ours, and not parsed.
    if (!this.store.trusted && !this.#isShared(key, entry.value)) return undefined;
    return { state: ageMs < this.#ttlMs ? "fresh" : "stale", text: entry.value, ageMs };
  }

  /**
   * A hit is sent as the stored text, never re-serialized, so that text must be a SharedAnswer (a store
   * is shared and may hold anything). Parsing to check was the largest cost of a hit, so the last checked
   * text of each hot key is remembered (a bounded few) and a store answer equal to it is not parsed again.
   */
  #isShared(key: string, text: string): boolean {
    if (this.#checked.peek(key) === text) return true;
    if (!isSharedAnswer(text)) return false;
    this.#checked.set(key, text);
    return true;
  }

  /**
   * Serializes the answer once and returns that text, which is stored (unless caching is off or the
   * answer is partial) and also what the caller splices its response from.
   */
  async save(key: string, value: SharedAnswer): Promise<string> {
    const text = JSON.stringify(value);
    if (!this.enabled) return text;
    // A partial answer (some source failed) would keep serving the gap long after the source is back.
    if (value.sources?.some((source) => !source.ok)) return text;
    try {
      const stored = this.store.set(key, text, this.#ttlMs + this.#staleMs);
      if (stored instanceof Promise) await stored;
    } catch (error) {
      this.#report(error);
    }
    return text;
  }

  /**
   * Single flight: concurrent calls with the same key share one `load()`. The entry goes as soon as it
   * settles, so a failure is shared only by those already waiting, and the next call tries again.
   */
  /** Whether a call with this key now would join a load already in flight. */
  joins(key: string): boolean {
    return this.#inflight.has(key);
  }

  coalesce<T, A = undefined>(key: string, load: (arg: A) => Promise<T>, arg?: A): Promise<T> {
    const pending = this.#inflight.get(key);
    if (pending) {
      this.coalesced += 1;
      return pending as Promise<T>;
    }
    const call = this.#load(key, load, arg as A);
    this.#inflight.set(key, call);
    return call;
  }

  // An async method, not closures per load (`arg` saves the caller one too). Every path reaches its
  // `delete` only after an await, so only once `coalesce` has set the entry; while it is set no other
  // load for the key can start, so the entry deleted is this one. A synchronous throw is a rejection.
  async #load<T, A>(key: string, load: (arg: A) => Promise<T>, arg: A): Promise<T> {
    let loading: Promise<T>;
    try {
      loading = load(arg);
    } catch (error) {
      await undefined;
      this.#inflight.delete(key);
      throw error;
    }
    try {
      return await loading;
    } finally {
      this.#inflight.delete(key);
    }
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // A failing error handler must not turn a cache miss into a failed request.
    }
  }
}

/** False for anything that is not a stored SharedAnswer (corrupt, foreign or truncated). */
function isSharedAnswer(text: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return false;
  const { limit, results } = parsed as Partial<SharedAnswer>;
  return Number.isInteger(limit) && Array.isArray(results);
}
