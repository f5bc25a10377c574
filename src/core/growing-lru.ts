import { LRUCache } from "lru-cache";

/** The slots a map starts with; enough for a gateway with a few hundred callers never to grow. */
export const FIRST_SLOTS = 1024;
const GROWTH = 4;

/**
 * An `lru-cache` bounded to `max` entries whose slots are allocated as it fills. lru-cache allocates
 * four arrays of `max` slots up front (about 24 bytes a slot); for the gateway's bounds (100,000 buckets,
 * 100,000 users, 10,000 tokens) that was 5.5 MB of live heap and 2.4 MB beside it in every process,
 * almost none of it used, and on JSC live heap is paid several times over in peak RSS under load
 * (docs/performance.md, "Memory at 256 connections"). Growing copies the entries oldest first into a
 * cache four times the size, so the eviction order is kept and a `set` costs amortised O(1).
 */
export class GrowingLru<K extends {}, V extends {}> {
  #cache: LRUCache<K, V>;

  constructor(
    readonly max: number,
    private readonly first = FIRST_SLOTS,
  ) {
    this.#cache = this.#sized(first);
  }

  get size(): number {
    return this.#cache.size;
  }

  /** The slots allocated now: at most `max`. */
  get slots(): number {
    return this.#cache.max;
  }

  /** Without counting as a use. */
  peek(key: K): V | undefined {
    return this.#cache.peek(key);
  }

  /** Counts as a use: the entry moves to the recent end. */
  get(key: K): V | undefined {
    return this.#cache.get(key);
  }

  set(key: K, value: V): void {
    const cache = this.#cache;
    if (cache.size >= cache.max && cache.max < this.max && !cache.has(key)) this.#grow();
    this.#cache.set(key, value);
  }

  delete(key: K): boolean {
    return this.#cache.delete(key);
  }

  /** Back to the first slots: lru-cache's own `clear` walks all of them anyway. */
  clear(): void {
    this.#cache = this.#sized(this.first);
  }

  /** Most recent first; deleting the entry being visited is allowed (lru-cache's walk). */
  forEach(visit: (value: V, key: K) => void): void {
    this.#cache.forEach((value, key) => {
      visit(value, key);
    });
  }

  #sized(slots: number): LRUCache<K, V> {
    // A bound of 0 keeps one entry (the one just written), as these maps always have: lru-cache wants 1.
    return new LRUCache<K, V>({ max: Math.max(1, Math.min(Math.ceil(this.max), slots)) });
  }

  #grow(): void {
    const old = this.#cache;
    const next = this.#sized(old.max * GROWTH);
    old.rforEach((value, key) => {
      next.set(key, value);
    });
    this.#cache = next;
  }
}
