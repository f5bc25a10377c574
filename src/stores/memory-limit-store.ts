import { GrowingLru } from "../core/growing-lru.ts";
import { gcra } from "./gcra.ts";
import type { BucketSpec, CounterSpec, Decision, LimitStore, WindowCount } from "./limit-store.ts";

interface Entry {
  value: number;
  expiresAt: number;
}

/**
 * In-process counters. Bounded: an entry counts as absent once it expires (a bucket once it is full
 * again) and the periodic sweep drops it; past `maxEntries` the expired are swept and then the oldest
 * dropped, so a flood of distinct keys cannot grow memory without limit (at worst it forgets some
 * usage, i.e. errs towards allowing). "Oldest" is by first write: reads are `peek` (no recency) and an
 * update changes the entry in place, because lru-cache's `set` on a present key would move it to the
 * recent end. Expiry stays ours (each write sets its own `expiresAt`, and reset times are read from
 * it), so there is no lru-cache `ttl`.
 */
export class MemoryLimitStore implements LimitStore {
  readonly #entries: GrowingLru<string, Entry>;
  #sweptAt = Number.NEGATIVE_INFINITY;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {
    this.#entries = new GrowingLru<string, Entry>(maxEntries);
    this.#sweeper = setInterval(() => this.#sweep(this.clock()), 30_000);
    this.#sweeper.unref?.();
  }

  get size(): number {
    return this.#entries.size;
  }

  decide(bucket: BucketSpec, counter?: CounterSpec): Decision {
    const now = this.clock();
    const { state, tat } = gcra(this.#live(bucket.key, now)?.value, now, bucket.limit, bucket.periodMs);
    if (state.allowed) this.#set(bucket.key, tat, tat, now);
    if (!counter) return { bucket: state };
    const live = this.#live(counter.key, now);
    let count = live?.value ?? 0;
    let allowed = true;
    if (counter.take && state.allowed) {
      if (count < counter.limit) {
        count += 1;
        this.#set(counter.key, count, live ? live.expiresAt : now + counter.ttlMs, now);
      } else allowed = false;
    }
    const expiresAt = this.#live(counter.key, now)?.expiresAt ?? now + counter.ttlMs;
    return { bucket: state, counter: { allowed, count, resetMs: Math.max(0, expiresAt - now) } };
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.peek(key);
    if (entry && entry.value > 0) entry.value -= 1;
  }

  async read(keys: string[]): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.#live(key, now);
      return entry ? { count: entry.value, resetMs: entry.expiresAt - now } : { count: 0, resetMs: 0 };
    });
  }

  async increment(keys: string[], windowMs: number): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const count = (this.#live(key, now)?.value ?? 0) + 1;
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

  /** An expired entry reads as absent but is not deleted here: see `#set`. */
  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.peek(key);
    return entry && entry.expiresAt > now ? entry : undefined;
  }

  #set(key: string, value: number, expiresAt: number, now: number): void {
    const entry = this.#entries.peek(key);
    if (entry) {
      // An expired entry written again is a new one, so it moves to the recent end (lru-cache's `get`).
      // Deleting it on read and setting it again would do the same, but lru-cache deletes the last entry
      // by clearing all `max` slots: a lone bucket refilling on each request cost O(maxEntries) each.
      if (entry.expiresAt <= now) this.#entries.get(key);
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
