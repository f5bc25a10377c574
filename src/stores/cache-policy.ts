/**
 * How the in-process cache store decides what to keep, apart from expiry (which is the store's). A policy
 * holds `Resident`s by key, bounded by entries and by charged bytes; `get` is a use and `set` may decline
 * to keep a value (admission). Both answer synchronously: they are on every search's path.
 */
export interface Resident {
  value: string;
  storedAt: number;
  expiresAt: number;
}

export interface CachePolicy {
  readonly size: number;
  /** Charged bytes (cache-charge.ts) of everything held. */
  readonly bytes: number;
  get(key: string): Resident | undefined;
  /** Keeps the value or declines to; either way the key's old value is gone. */
  set(key: string, value: string, storedAt: number, expiresAt: number): void;
  delete(key: string): void;
  /** Every held entry; `fn` may delete the entry it is given. */
  forEach(fn: (entry: Resident, key: string) => void): void;
}

/** `tinylfu`: W-TinyLFU admission (the default); `lru`: keep everything, drop the least recently used. */
export type CacheAdmission = "tinylfu" | "lru";
export const CACHE_ADMISSIONS = ["tinylfu", "lru"] as const satisfies readonly CacheAdmission[];
