import { UpstreamUnavailable } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { BucketSpec, CounterSpec, Decision, LimitStore, WindowCount } from "./limit-store.ts";
import { RedisUnavailable } from "./redis-connection.ts";

export type FailurePolicy = "open" | "closed";

const WARN_EVERY_MS = 10_000;

/**
 * The shared store with its failure policy: `open` answers from the in-process store while the shared
 * one is unreachable (limits become per-instance, logged), `closed` refuses with 503.
 */
export class FailoverLimitStore implements LimitStore {
  #lastWarn = 0;
  /** How many decisions were answered by the fallback; for logs and, later, metrics. */
  fallbacks = 0;

  constructor(
    private readonly primary: LimitStore,
    private readonly fallback: LimitStore,
    private readonly policy: FailurePolicy,
    private readonly logger: Logger,
  ) {}

  decide(bucket: BucketSpec, counter?: CounterSpec): Promise<Decision> {
    // The fallback may answer without a promise; #run awaits either.
    return this.#run((store) => store.decide(bucket, counter));
  }

  release(key: string): Promise<void> {
    return this.#run((store) => store.release(key));
  }

  read(keys: string[]): Promise<WindowCount[]> {
    return this.#run((store) => store.read(keys));
  }

  increment(keys: string[], windowMs: number): Promise<WindowCount[]> {
    return this.#run((store) => store.increment(keys, windowMs));
  }

  remove(key: string): Promise<void> {
    return this.#run((store) => store.remove(key));
  }

  close(): void {
    this.primary.close();
    this.fallback.close();
  }

  async #run<T>(operation: (store: LimitStore) => T | Promise<T>): Promise<T> {
    // RedisConnection fails fast for a moment after an outage, so this costs one timeout per outage.
    try {
      return await operation(this.primary);
    } catch (error) {
      if (!(error instanceof RedisUnavailable)) throw error;
      this.#warn(error);
    }
    if (this.policy === "closed") throw new UpstreamUnavailable("rate-limit store (Redis)");
    this.fallbacks += 1;
    return operation(this.fallback);
  }

  #warn(error: Error): void {
    const now = Date.now();
    if (now - this.#lastWarn < WARN_EVERY_MS) return;
    this.#lastWarn = now;
    const effect = this.policy === "open" ? "limits are per instance until it is back" : "requests get 503";
    this.logger.warn(`Redis unavailable: ${effect}`, { policy: this.policy, error });
  }
}
