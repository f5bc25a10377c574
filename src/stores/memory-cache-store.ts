import type { CacheAdmission, CachePolicy } from "./cache-policy.ts";
import type { CacheEntry, CacheStore } from "./cache-store.ts";
import { LruPolicy } from "./lru-policy.ts";
import { WTinyLfuPolicy } from "./tinylfu/w-tinylfu-policy.ts";

const SWEEP_MS = 30_000;

export interface MemoryCacheOptions {
  /** What to keep when full: W-TinyLFU admission (default) or plain LRU. */
  admission?: CacheAdmission;
  /** How often expired entries are dropped, ms. */
  sweepMs?: number;
  /** Salt of the admission filter's key hash (random by default); for deterministic tests and benches. */
  seed?: number;
}

/**
 * In-process cache bounded by entry count and by charged bytes (cache-charge.ts: an upper estimate of
 * the heap an entry holds), so neither a flood of distinct queries nor a few huge answers can grow memory
 * without limit. Which entries stay is the policy's (cache-policy.ts); expiry is the store's: an entry is
 * gone once its lifetime has passed, on any clock, and a `get` does not extend it.
 */
export class MemoryCacheStore implements CacheStore {
  readonly #policy: CachePolicy;
  readonly #sweeper: ReturnType<typeof setInterval>;
  readonly admission: CacheAdmission;
  readonly trusted = true;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly clock: () => number = Date.now,
    options: MemoryCacheOptions = {},
  ) {
    if (!(maxEntries >= 0) || !(maxBytes >= 0)) throw new RangeError("cache bounds must be >= 0");
    this.admission = options.admission ?? "tinylfu";
    this.#policy =
      this.admission === "lru"
        ? new LruPolicy(maxEntries, maxBytes)
        : new WTinyLfuPolicy(maxEntries, maxBytes, options.seed);
    // Expired entries nobody asks for again would otherwise hold memory until pressure evicts them.
    this.#sweeper = setInterval(() => this.#sweep(this.clock()), options.sweepMs ?? SWEEP_MS);
    this.#sweeper.unref?.();
  }

  get size(): number {
    return this.#policy.size;
  }

  /** Charged bytes: an upper estimate of the heap the entries hold (cache-charge.ts). */
  get bytes(): number {
    return this.#policy.bytes;
  }

  get(key: string): CacheEntry | undefined {
    const entry = this.#policy.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.#policy.delete(key);
      return undefined;
    }
    return { value: entry.value, storedAt: entry.storedAt };
  }

  /** The policy may decline to keep the value (admission); the key's old value is superseded either way. */
  set(key: string, value: string, lifetimeMs: number): undefined {
    if (!(lifetimeMs > 0) || this.maxEntries < 1 || this.maxBytes < 1) {
      this.#policy.delete(key);
      return;
    }
    const now = this.clock();
    this.#policy.set(key, value, now, now + lifetimeMs);
  }

  async delete(key: string): Promise<void> {
    this.#policy.delete(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(now: number): void {
    this.#policy.forEach((entry, key) => {
      if (entry.expiresAt <= now) this.#policy.delete(key);
    });
  }
}
