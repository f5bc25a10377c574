import { OldestKey } from "../core/oldest-key.ts";
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
 */
export class MemoryLimitStore implements LimitStore {
  readonly #entries = new Map<string, Entry>();
  readonly #oldest = new OldestKey(this.#entries);
  #sweptAt = Number.NEGATIVE_INFINITY;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(
    readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {
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
        const existing = this.#entries.get(counter.key);
        this.#set(
          counter.key,
          count,
          existing && existing.expiresAt > now ? existing.expiresAt : now + counter.ttlMs,
          now,
        );
      } else allowed = false;
    }
    const expiresAt = this.#entries.get(counter.key)?.expiresAt ?? now + counter.ttlMs;
    return { bucket: state, counter: { allowed, count, resetMs: Math.max(0, expiresAt - now) } };
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry && entry.value > 0) entry.value -= 1;
  }

  async read(keys: string[]): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const entry = this.#entries.get(key);
      return entry && entry.expiresAt > now
        ? { count: entry.value, resetMs: entry.expiresAt - now }
        : { count: 0, resetMs: 0 };
    });
  }

  async increment(keys: string[], windowMs: number): Promise<WindowCount[]> {
    const now = this.clock();
    return keys.map((key) => {
      const live = this.#entries.get(key);
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
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  #set(key: string, value: number, expiresAt: number, now: number): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.maxEntries) {
      // A full sweep is O(entries): at most once a second, or a flood of new keys would pay it per key.
      if (now - this.#sweptAt >= 1000) this.#sweep(now);
      if (this.#entries.size >= this.maxEntries) {
        const oldest = this.#oldest.next();
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    this.#entries.set(key, { value, expiresAt });
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
