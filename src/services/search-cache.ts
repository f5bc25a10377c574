import { createHash } from "node:crypto";
import { OldestKey } from "../core/oldest-key.ts";
import type { SearchResponse } from "../models/search.ts";
import type { CacheStore } from "../stores/cache-store.ts";

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

export interface CacheHit {
  state: "fresh" | "stale";
  value: SearchResponse;
  ageMs: number;
}

const PARSED_MAX = 256;

// Part of every key: bump it when SearchResponse changes shape, and old entries are simply never read.
const KEY_VERSION = 1;

/**
 * Search answers by normalized search, fresh then stale, plus single flight so that a burst of the same
 * search costs one Aggregator call. A cache is an optimisation: any store failure is reported and
 * treated as a miss, never passed on.
 */
export class SearchCache {
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #memo = new Map<string, { raw: string; value: SearchResponse }>();
  readonly #oldestMemo = new OldestKey(this.#memo);
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
   * Unicode composition and category order do not matter. JSON keeps the parts apart (no two different
   * searches join to the same string); the hash keeps keys short whatever the query's length.
   */
  static key(search: { query: string; categories: string[]; limit: number }): string {
    const query = search.query.trim().toLowerCase().replace(/\s+/g, " ").normalize("NFC");
    const categories = [...new Set(search.categories)].sort();
    const parts = JSON.stringify([KEY_VERSION, query, categories, search.limit]);
    return createHash("sha256").update(parts).digest("base64url");
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  /** Loads in progress; for tests. */
  get inflight(): number {
    return this.#inflight.size;
  }

  async lookup(key: string): Promise<CacheHit | undefined> {
    if (!this.enabled) return undefined;
    let entry: Awaited<ReturnType<CacheStore["get"]>>;
    try {
      entry = await this.store.get(key);
    } catch (error) {
      this.#report(error);
      return undefined;
    }
    if (!entry) return undefined;
    // A storedAt slightly ahead of this clock (rounding, skew) is still an answer just stored.
    const ageMs = Math.max(0, this.#clock() - entry.storedAt);
    if (ageMs >= this.#ttlMs + this.#staleMs) return undefined;
    const value = this.#parsed(key, entry.value);
    if (!value) return undefined;
    return { state: ageMs < this.#ttlMs ? "fresh" : "stale", value, ageMs };
  }

  /**
   * Parsing the stored JSON was the largest cost of a cache hit, so the last parse of each hot key is kept
   * (a bounded few) and reused while the store hands back the same text. Answers are never mutated
   * after they are built, so sharing one parsed object between responses is safe.
   */
  #parsed(key: string, raw: string): SearchResponse | undefined {
    const memo = this.#memo.get(key);
    if (memo && memo.raw === raw) return memo.value;
    const value = parse(raw);
    if (!value) return undefined;
    if (this.#memo.size >= PARSED_MAX) {
      const oldest = this.#oldestMemo.next();
      if (oldest !== undefined) this.#memo.delete(oldest);
    }
    this.#memo.set(key, { raw, value });
    return value;
  }

  async save(key: string, value: SearchResponse): Promise<void> {
    if (!this.enabled) return;
    // A partial answer (some source failed) would keep serving the gap long after the source is back.
    if (value.sources?.some((source) => !source.ok)) return;
    try {
      await this.store.set(key, JSON.stringify(value), this.#ttlMs + this.#staleMs);
    } catch (error) {
      this.#report(error);
    }
  }

  /**
   * Single flight: concurrent calls with the same key share one `load()`. The entry goes as soon as it
   * settles, so a failure is shared only by those already waiting, and the next call tries again.
   */
  coalesce<T>(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.#inflight.get(key);
    if (pending) {
      this.coalesced += 1;
      return pending as Promise<T>;
    }
    // `new Promise` turns a load that throws synchronously into a rejection like any other.
    const call: Promise<T> = new Promise<T>((resolve) => resolve(load())).finally(() => {
      if (this.#inflight.get(key) === call) this.#inflight.delete(key);
    });
    this.#inflight.set(key, call);
    return call;
  }

  #report(error: unknown): void {
    try {
      this.#onError?.(error);
    } catch {
      // A failing error handler must not turn a cache miss into a failed request.
    }
  }
}

/** Undefined for anything that is not a stored SearchResponse (corrupt, foreign or truncated). */
function parse(value: string): SearchResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !Array.isArray((parsed as SearchResponse).results)) {
    return undefined;
  }
  return parsed as SearchResponse;
}
