import { LRUCache } from "lru-cache";
import { gcra } from "./gcra.ts";
import type { BucketSpec, CounterSpec, Decision, LimitStore, WindowCount } from "./limit-store.ts";

interface Entry {
  value: number;
  expiresAt: number;
}

/**
 * In-process counters. Bounded: an entry is dropped once it expires (a bucket once it is full again),
 * and past `maxEntries` the expired are swept and then the oldest dropped, so a flood of distinct keys
 * cannot grow memory without limit (at worst it forgets some usage, i.e. errs towards allowing).
 * "Oldest" is by first write: reads are `peek` (no recency) and an update changes the entry in place,
 * because lru-cache's `set` on a present key would move it to the recent end. Expiry stays ours (each
 * write sets its own `expiresAt`, and a reset time is read from it), so there is no lru-cache `ttl`.
 */
export class MemoryLimitStore implements LimitStore {
  readonly #entries: LRUCache<string, Entry>;
  #sweptAt = Number.NEGATIVE_INFINITY;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {
    // A bound of 0 has always kept one entry (the one just written); lru-cache wants at least 1.
    this.#entries = new LRUCache<string, Entry>({ max: Math.max(1, Math.ceil(maxEntries)) });
    this.#sweeper = setInterval(() => this.#sweep(this.clock()), 30_000);
    this.#sweeper.unref?.();
  }

  get size(): number {
    return this.#entries.size;
  }

  decide(bucket: BucketSpec, counter?: CounterSpec): Decision {
    const now = this.clock();
    const { state, tat } = gcra(this.#get(bucket.key, now), now, bucket.limit, bucket.periodMs);
    if (state.allowed) this.#set(bucket.key, tat, tat, now);
    if (!counter) return { bucket: state };
    let count = this.#get(counter.key, now) ?? 0;
    let allowed = true;
    if (counter.take && state.allowed) {
      if (count < counter.limit) {
        count += 1;
        const existing = this.#entries.peek(counter.key);
        this.#set(
          counter.key,
          count,
          existing && existing.expiresAt > now ? existing.expiresAt : now + counter.ttlMs,
          now,
        );
      } else allowed = false;
    }
    const expiresAt = this.#entries.peek(counter.key)?.expiresAt ?? now + counter.ttlMs;
    return { bucket: state, counter: { allowed, count, resetMs: Math.max(0, expiresAt - now) } };
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.peek(key);
    if (entry && entry.value > 0) entry.value -= 1;
  }

  async read(keys: string[]): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.#entries.peek(key);
      return entry && entry.expiresAt > now
        ? { count: entry.value, resetMs: entry.expiresAt - now }
        : { count: 0, resetMs: 0 };
    });
  }

  async increment(keys: string[], windowMs: number): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const live = this.#entries.peek(key);
      const count = (live && live.expiresAt > now ? live.value : 0) + 1;
      this.#set(key, count, now + windowMs, now);
      return { count, resetMs: windowMs };
    });
  }

  async remove(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #get(key: string, now: number): number | undefined {
    const entry = this.#entries.peek(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  #set(key: string, value: number, expiresAt: number, now: number): void {
    const entry = this.#entries.peek(key);
    if (entry) {
      entry.value = value;
      entry.expiresAt = expiresAt;
      return;
    }
    // A full sweep is O(entries): at most once a second, or a flood of new keys would pay it per key.
    // Still full after it, lru-cache evicts the oldest on `set`.
    if (this.#entries.size >= this.maxEntries && now - this.#sweptAt >= 1000) this.#sweep(now);
    this.#entries.set(key, { value, expiresAt });
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    // lru-cache's walk allows deleting the entry it is on.
    this.#entries.forEach((entry, key) => {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    });
  }
}
