import { createHash } from "node:crypto";
import { RedisClient } from "bun";

const COOLDOWN_MS = 1000;

export class RedisUnavailable extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "RedisUnavailable";
  }
}

export interface Script {
  source: string;
  sha: string;
}

export function script(source: string): Script {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * One Bun RedisClient with what a request path needs: every command bounded by a short timeout (a dead
 * Redis must never hang a request), reconnects on demand (Bun does not reconnect by itself), and Lua
 * scripts sent by SHA with a fallback to EVAL the first time a server has not seen them.
 */
export class RedisConnection {
  readonly #client: RedisClient;
  readonly #timeoutMs: number;
  #connecting: Promise<void> | undefined;
  #downUntil = 0;

  constructor(url: string, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#client = new RedisClient(url, {
      connectionTimeout: Math.max(timeoutMs, 250),
      enableOfflineQueue: false,
      autoReconnect: false,
    });
  }

  async eval(code: Script, keys: string[], args: (string | number)[]): Promise<unknown> {
    const rest = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await this.#send("EVALSHA", [code.sha, ...rest]);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return this.#send("EVAL", [code.source, ...rest]);
    }
  }

  async ping(): Promise<void> {
    await this.#send("PING", []);
  }

  close(): void {
    this.#client.close();
  }

  async #send(command: string, args: string[]): Promise<unknown> {
    // After an outage, fail fast for a moment: a dead Redis costs one timeout, not one per request.
    if (Date.now() < this.#downUntil) throw new RedisUnavailable("Redis is unavailable (retrying shortly)");
    return this.#bounded(async () => {
      if (!this.#client.connected) await this.#connect();
      return this.#client.send(command, args);
    });
  }

  #connect(): Promise<void> {
    this.#connecting ??= this.#client.connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #bounded<T>(run: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RedisUnavailable(`Redis did not answer within ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      if (error instanceof RedisUnavailable) {
        this.#downUntil = Date.now() + COOLDOWN_MS;
        throw error;
      }
      const message = (error as Error).message ?? String(error);
      // Server-side script errors are bugs, not outages: let them surface as they are.
      if (/^(ERR|WRONGTYPE|NOSCRIPT)/.test(message)) throw error;
      this.#downUntil = Date.now() + COOLDOWN_MS;
      throw new RedisUnavailable(`Redis failed: ${message}`, error);
    } finally {
      clearTimeout(timer);
    }
  }
}
