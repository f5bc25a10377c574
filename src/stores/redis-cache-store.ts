import type { CacheEntry, CacheStore } from "./cache-store.ts";
import { type RedisConnection, script } from "./redis-connection.ts";

// Stored as "<storedAt ms>:<value>" in one string so that value, timestamp and expiry are written by one
// atomic SET. The timestamp is Redis's own clock, so instances with skewed clocks agree on an entry's age.
const SET = script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], string.format('%d', now) .. ':' .. ARGV[1], 'PX', ARGV[2])
return 1
`);

// Redis's current time comes back with the entry so that its age can be carried over to the local clock.
const GET = script(`
local v = redis.call('GET', KEYS[1])
if not v then return false end
local t = redis.call('TIME')
return {v, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)}
`);

const DELETE = script("return redis.call('DEL', KEYS[1])");

/**
 * Cached answers shared by every gateway instance; keys are `prefix + "cache:" + key`. One round trip
 * per call. Errors (RedisUnavailable) propagate: whether an outage is a miss is the caller's decision.
 */
export class RedisCacheStore implements CacheStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<CacheEntry | undefined> {
    const reply = await this.redis.eval(GET, [this.#key(key)], []);
    if (!Array.isArray(reply)) return undefined;
    const [stored, redisNow] = reply as unknown[];
    if (typeof stored !== "string") return undefined;
    const colon = stored.indexOf(":");
    const storedAt = Number(stored.slice(0, colon));
    // Not written by this store (or a foreign format): treat as absent rather than guess.
    if (colon < 1 || !Number.isFinite(storedAt)) return undefined;
    const ageMs = Math.max(0, Number(redisNow) - storedAt);
    return { value: stored.slice(colon + 1), storedAt: Date.now() - ageMs };
  }

  async set(key: string, value: string, lifetimeMs: number): Promise<void> {
    // PX must be positive; a lifetime already over means the entry is gone, as in the memory store.
    if (!(lifetimeMs > 0)) return this.delete(key);
    await this.redis.eval(SET, [this.#key(key)], [value, Math.max(1, Math.ceil(lifetimeMs))]);
  }

  async delete(key: string): Promise<void> {
    await this.redis.eval(DELETE, [this.#key(key)], []);
  }

  /** The connection is shared (and closed) by whoever created it. */
  close(): void {}

  #key(key: string): string {
    return `${this.prefix}cache:${key}`;
  }
}
