import { GrowingLru } from "../core/growing-lru.ts";
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
 * `clock` is injectable so tests can pass a TTL without waiting for it.
 */
export class UserCache {
  readonly #entries: GrowingLru<string, Entry>;
  readonly #inflight = new Map<string, Promise<User | null>>();
  /** How many lookups were answered from a stale record; for logs and metrics. */
  staleServed = 0;

  constructor(
    readonly ttlMs: number,
    readonly staleMs = 0,
    readonly maxEntries = 100_000,
    private readonly clock: () => number = Date.now,
  ) {
    this.#entries = new GrowingLru<string, Entry>(maxEntries);
  }

  /** A fresh record without a promise (null: the user is known not to exist); undefined if none. */
  fresh(id: string, now = this.clock()): User | null | undefined {
    const hit = this.#entries.peek(id);
    return hit && hit.expiresAt > now ? hit.user : undefined;
  }

  get(id: string, load: (id: string) => Promise<User | null>, now = this.clock()): Promise<User | null> {
    const hit = this.#entries.peek(id);
    if (hit && hit.expiresAt > now) return Promise.resolve(hit.user);
    const pending = this.#inflight.get(id);
    if (pending) return pending;
    const call = load(id)
      .then(
        (user) => {
          if (this.ttlMs > 0) this.#store(id, { user, expiresAt: this.clock() + this.ttlMs });
          return user;
        },
        (error) => {
          const stale = this.#entries.peek(id);
          if (stale && stale.expiresAt + this.staleMs > this.clock()) {
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

  /** A record just read from the Users service by someone else (a refresh): later calls see it at once. */
  set(id: string, user: User | null): void {
    if (this.ttlMs > 0) this.#store(id, { user, expiresAt: Date.now() + this.ttlMs });
  }

  #store(id: string, entry: Entry): void {
    this.#entries.set(id, entry);
  }

  get size(): number {
    return this.#entries.size;
  }
}
