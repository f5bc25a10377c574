import { LRUCache } from "lru-cache";
import type { User } from "../models/user.ts";

interface Entry {
  user: User | null;
  expiresAt: number;
}

/**
 * Remembers each user's record for `ttlMs` so a burst of calls costs one Users service lookup, and
 * coalesces concurrent misses for the same id into one call. When the Users service fails, a record up
 * to `staleMs` past its TTL is used instead (stale-if-error). Bounded: the least recently stored go
 * first. Reads are `peek`, so a hit does not count as a use; expiry is the entry's own, since a record
 * past its TTL is still kept for stale-if-error (no lru-cache `ttl`).
 */
export class UserCache {
  readonly #entries: LRUCache<string, Entry>;
  readonly #inflight = new Map<string, Promise<User | null>>();
  /** How many lookups were answered from a stale record; for logs and metrics. */
  staleServed = 0;

  constructor(
    readonly ttlMs: number,
    readonly staleMs = 0,
    readonly maxEntries = 100_000,
  ) {
    this.#entries = new LRUCache<string, Entry>({ max: Math.max(1, maxEntries) });
  }

  /** A fresh record without a promise (null: the user is known not to exist); undefined if none. */
  fresh(id: string, now = Date.now()): User | null | undefined {
    const hit = this.#entries.peek(id);
    return hit && hit.expiresAt > now ? hit.user : undefined;
  }

  get(id: string, load: (id: string) => Promise<User | null>, now = Date.now()): Promise<User | null> {
    const hit = this.#entries.peek(id);
    if (hit && hit.expiresAt > now) return Promise.resolve(hit.user);
    const pending = this.#inflight.get(id);
    if (pending) return pending;
    const call = load(id)
      .then(
        (user) => {
          if (this.ttlMs > 0) this.#store(id, { user, expiresAt: Date.now() + this.ttlMs });
          return user;
        },
        (error) => {
          const stale = this.#entries.peek(id);
          if (stale && stale.expiresAt + this.staleMs > Date.now()) {
            this.staleServed += 1;
            return stale.user;
          }
          throw error;
        },
      )
      .finally(() => this.#inflight.delete(id));
    this.#inflight.set(id, call);
    return call;
  }

  #store(id: string, entry: Entry): void {
    this.#entries.set(id, entry);
  }

  get size(): number {
    return this.#entries.size;
  }
}
