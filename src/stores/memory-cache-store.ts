import { LRUCache } from "lru-cache";
import type { CacheEntry, CacheStore } from "./cache-store.ts";

interface Entry {
  value: string;
  storedAt: number;
  expiresAt: number;
}

const SWEEP_MS = 30_000;

/**
 * What an entry costs against `maxBytes`: the UTF-8 bytes of its key and value, i.e. what a Redis store
 * would hold for it, so one `maxBytes` means the same for both stores (the engine's own footprint, UTF-16
 * or Latin-1 and object headers, is not counted). lru-cache accepts only positive sizes, hence at least 1.
 */
const entryBytes = (entry: Entry, key: string) =>
  Math.max(1, Buffer.byteLength(key) + Buffer.byteLength(entry.value));

/**
 * In-process LRU cache bounded by entry count and by bytes, so neither a flood of distinct queries nor a
 * few huge answers can grow memory without limit. A `get` counts as a use (lru-cache's `get` moves the
 * entry to the most recent end; no `updateAgeOnGet`: a hit does not extend an entry's lifetime).
 * Expiry is ours, not lru-cache's `ttl`: it keeps an entry while its age is <= ttl and takes a start
 * time of 0 for "never expires", where an entry here is gone once its lifetime has passed, on any clock.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #entries: LRUCache<string, Entry>;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly clock: () => number = Date.now,
    sweepMs = SWEEP_MS,
  ) {
    if (!(maxEntries >= 0) || !(maxBytes >= 0)) throw new RangeError("cache bounds must be >= 0");
    // lru-cache wants positive integers; bounds below 1 store nothing, which `set` checks itself.
    this.#entries = new LRUCache<string, Entry>({
      max: Math.max(1, Math.ceil(maxEntries)),
      maxSize: Math.max(1, Math.floor(maxBytes)),
      sizeCalculation: entryBytes,
    });
    // Expired entries nobody asks for again would otherwise hold memory until LRU pressure evicts them.
    this.#sweeper = setInterval(() => this.#sweep(this.clock()), sweepMs);
    this.#sweeper.unref?.();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Approximate: UTF-8 bytes of keys and values, not the engine's real footprint. */
  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.#entries.delete(key);
      return undefined;
    }
    return { value: entry.value, storedAt: entry.storedAt };
  }

  set(key: string, value: string, lifetimeMs: number): undefined {
    if (!(lifetimeMs > 0) || this.maxEntries < 1 || this.maxBytes < 1) {
      // The old value is superseded even when the new one cannot be kept.
      this.#entries.delete(key);
      return;
    }
    const now = this.clock();
    // An entry larger than maxSize is not stored and evicts nothing (lru-cache's maxEntrySize defaults to
    // maxSize), so one oversized answer cannot flush everything else; it does drop the key's old value.
    this.#entries.set(key, { value, storedAt: now, expiresAt: now + lifetimeMs });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(now: number): void {
    // lru-cache's walk allows deleting the entry it is on.
    this.#entries.forEach((entry, key) => {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    });
  }
}
