/**
 * Where cached answers live. Two implementations pass the same test suite: in-process (bounded by
 * entries and bytes, per instance) and Redis (shared by every instance). The store knows lifetimes only;
 * whether an entry is fresh or stale is the caller's policy, decided from `storedAt`.
 */
export interface CacheEntry {
  /** Serialized JSON. */
  value: string;
  /** Epoch ms on this process's clock. */
  storedAt: number;
}

export interface CacheStore {
  /**
   * True when nothing but this process writes the store (the in-process one): every value is a text the
   * search cache itself stored, so a lookup need not parse it to check it. A shared store (Redis) may
   * hold anything and is checked.
   */
  readonly trusted?: boolean;
  /**
   * The entry if it has not passed its lifetime (fresh or stale is the caller's call, from storedAt).
   * The in-process store answers get and set without a promise: they run on every search.
   */
  get(key: string): CacheEntry | undefined | Promise<CacheEntry | undefined>;
  /** lifetimeMs = fresh TTL + stale window: after that the entry is gone. */
  set(key: string, value: string, lifetimeMs: number): undefined | Promise<void>;
  delete(key: string): Promise<void>;
  close(): void;
}
