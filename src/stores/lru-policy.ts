import { LRUCache } from "lru-cache";
import { entryCharge } from "./cache-charge.ts";
import type { CachePolicy, Resident } from "./cache-policy.ts";

/**
 * Plain LRU on `lru-cache`: every value is kept, the least recently used go first (a `get` is a use).
 * The policy before admission, kept so an operator can go back and the bench can compare.
 */
export class LruPolicy implements CachePolicy {
  readonly #entries: LRUCache<string, Resident>;

  constructor(maxEntries: number, maxBytes: number) {
    // lru-cache wants positive integers; bounds below 1 store nothing, which the store checks itself.
    this.#entries = new LRUCache<string, Resident>({
      max: Math.max(1, Math.ceil(maxEntries)),
      maxSize: Math.max(1, Math.floor(maxBytes)),
      sizeCalculation: (entry, key) => entryCharge(key, entry.value),
    });
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#entries.calculatedSize;
  }

  get(key: string): Resident | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: string, storedAt: number, expiresAt: number): void {
    // An entry larger than maxSize is not stored and evicts nothing (lru-cache's maxEntrySize defaults to
    // maxSize), so one oversized answer cannot flush everything else; it does drop the key's old value.
    this.#entries.set(key, { value, storedAt, expiresAt });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  forEach(fn: (entry: Resident, key: string) => void): void {
    // lru-cache's walk allows deleting the entry it is on.
    this.#entries.forEach(fn);
  }
}
