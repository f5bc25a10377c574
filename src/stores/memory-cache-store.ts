import { OldestKey } from "../core/oldest-key.ts";
import type { CacheEntry, CacheStore } from "./cache-store.ts";

interface Entry {
  value: string;
  storedAt: number;
  expiresAt: number;
  bytes: number;
}

const SWEEP_MS = 30_000;

/**
 * In-process LRU cache bounded by entry count and by bytes, so neither a flood of distinct queries nor a
 * few huge answers can grow memory without limit. A Map keeps insertion order, so re-inserting on each
 * hit makes its first key the least recently used.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #entries = new Map<string, Entry>();
  readonly #oldest = new OldestKey(this.#entries);
  readonly #sweeper: ReturnType<typeof setInterval>;
  #bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly clock: () => number = Date.now,
    sweepMs = SWEEP_MS,
  ) {
    if (!(maxEntries >= 0) || !(maxBytes >= 0)) throw new RangeError("cache bounds must be >= 0");
    // Expired entries nobody asks for again would otherwise hold memory until LRU pressure evicts them.
    this.#sweeper = setInterval(() => this.#sweep(this.clock()), sweepMs);
    this.#sweeper.unref?.();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Approximate: UTF-8 bytes of keys and values, not the engine's real footprint. */
  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.#remove(key, entry);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { value: entry.value, storedAt: entry.storedAt };
  }

  set(key: string, value: string, lifetimeMs: number): undefined {
    const existing = this.#entries.get(key);
    // The old value is superseded even when the new one cannot be kept.
    if (existing) this.#remove(key, existing);
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
    // Checked before evicting: one oversized answer must not flush everything else.
    if (!(lifetimeMs > 0) || bytes > this.maxBytes || this.maxEntries < 1) return;
    while (this.#entries.size >= this.maxEntries || this.#bytes + bytes > this.maxBytes) {
      const oldest = this.#oldest.next();
      const entry = oldest === undefined ? undefined : this.#entries.get(oldest);
      if (oldest === undefined || !entry) break;
      this.#remove(oldest, entry);
    }
    const now = this.clock();
    this.#entries.set(key, { value, storedAt: now, expiresAt: now + lifetimeMs, bytes });
    this.#bytes += bytes;
  }

  async delete(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry) this.#remove(key, entry);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#remove(key, entry);
  }
}
