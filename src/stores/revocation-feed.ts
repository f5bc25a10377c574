import { RedisClient } from "bun";
import type { Logger } from "../core/logger.ts";
import { type RedisConnection, script } from "./redis-connection.ts";

/**
 * One revocation: an access token (`jti`), a session's access tokens (`sid`), or every access token of a
 * user issued before `notBefore` (`user`). `until` (epoch ms) is when it can be forgotten: no token it
 * refuses is still unexpired by then.
 */
export interface Revocation {
  kind: "jti" | "sid" | "user";
  id: string;
  until: number;
  /** `user` only: epoch seconds; tokens whose `iat` is earlier are refused. */
  notBefore?: number;
}

/** How revocations travel: within the process, or through Redis to every instance. */
export interface RevocationFeed {
  /** "in-process" or "redis", as the startup line says. */
  readonly scope: "in-process" | "redis";
  /** Made known to every follower (this instance's too); rejects when it could not be shared. */
  publish(revocation: Revocation): Promise<void>;
  /** Everything still in force, then every revocation as it is published. */
  follow(listener: (revocation: Revocation) => void): Promise<void>;
  close(): void;
}

export function encodeRevocation(r: Revocation): string {
  return r.kind === "user" ? `user:${r.notBefore ?? 0}:${r.id}` : `${r.kind}:${r.id}`;
}

export function decodeRevocation(member: string, until: number): Revocation | undefined {
  const colon = member.indexOf(":");
  const kind = member.slice(0, colon);
  const rest = member.slice(colon + 1);
  if (kind === "jti" || kind === "sid") return rest ? { kind, id: rest, until } : undefined;
  if (kind !== "user") return undefined;
  const second = rest.indexOf(":");
  const notBefore = Number(rest.slice(0, second));
  const id = rest.slice(second + 1);
  return second > 0 && Number.isFinite(notBefore) && id ? { kind, id, until, notBefore } : undefined;
}

export class LocalRevocationFeed implements RevocationFeed {
  readonly scope = "in-process" as const;
  readonly #listeners: ((revocation: Revocation) => void)[] = [];

  async publish(revocation: Revocation): Promise<void> {
    for (const listener of this.#listeners) listener(revocation);
  }

  async follow(listener: (revocation: Revocation) => void): Promise<void> {
    this.#listeners.push(listener);
  }

  close(): void {}
}

// A sorted set scored by `until` is the snapshot a starting instance loads; the channel carries each new
// one. Both in one script, so no revocation is stored without being announced or the other way round.
const PUBLISH = script(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
redis.call('PUBLISH', KEYS[2], ARGV[2] .. ' ' .. ARGV[1])
return 1
`);

const SNAPSHOT = script(`
local t = redis.call('TIME')
return redis.call('ZRANGEBYSCORE', KEYS[1], t[1] * 1000, '+inf', 'WITHSCORES')
`);

const RESUBSCRIBE_MS = 1000;

/**
 * Revocations through Redis: published with the set they join, followed over pub/sub on a connection of
 * its own (a subscribed connection can do nothing else). After the subscription is lost, it is made
 * again and the snapshot reloaded, so what was published meanwhile still arrives; until then the
 * followers keep what they had (verification never waits for Redis).
 */
export class RedisRevocationFeed implements RevocationFeed {
  readonly scope = "redis" as const;
  readonly #set: string;
  readonly #channel: string;
  #subscriber: RedisClient | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly url: string,
    prefix: string,
    private readonly logger: Logger,
  ) {
    this.#set = `${prefix}revocations`;
    this.#channel = `${prefix}revocations`;
  }

  async publish(revocation: Revocation): Promise<void> {
    await this.redis.eval(
      PUBLISH,
      [this.#set, this.#channel],
      [encodeRevocation(revocation), Math.ceil(revocation.until), Date.now()],
    );
  }

  async follow(listener: (revocation: Revocation) => void): Promise<void> {
    try {
      await this.#subscribe(listener);
    } catch (error) {
      this.logger.warn("revocations: cannot follow Redis yet, retrying", { error: error as Error });
      this.#again(listener);
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#subscriber?.close();
  }

  async #subscribe(listener: (revocation: Revocation) => void): Promise<void> {
    const subscriber = new RedisClient(this.url, { autoReconnect: false, enableOfflineQueue: false });
    this.#subscriber = subscriber;
    subscriber.onclose = () => {
      if (this.#subscriber === subscriber) this.#again(listener);
    };
    await subscriber.connect();
    await subscriber.subscribe(this.#channel, (message) => {
      const space = message.indexOf(" ");
      const revocation = decodeRevocation(message.slice(space + 1), Number(message.slice(0, space)));
      if (revocation) listener(revocation);
    });
    // Subscribed first, then the snapshot: whatever is published in between arrives at least once.
    const flat = (await this.redis.eval(SNAPSHOT, [this.#set], [])) as string[];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const revocation = decodeRevocation(flat[i] as string, Number(flat[i + 1]));
      if (revocation) listener(revocation);
    }
  }

  #again(listener: (revocation: Revocation) => void): void {
    if (this.#closed || this.#retry) return;
    // Forgotten before it is closed, so its own onclose does not schedule a second attempt.
    const old = this.#subscriber;
    this.#subscriber = undefined;
    old?.close();
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.#subscribe(listener).catch(() => this.#again(listener));
    }, RESUBSCRIBE_MS);
    this.#retry.unref?.();
  }
}
