/**
 * The counters behind rate limits, quotas and login protection. Two implementations pass the same test
 * suite: in-process (one instance) and Redis (exact across instances, one round trip per decision).
 */
export interface BucketSpec {
  key: string;
  /** Tokens in a full bucket, also the refill per period. */
  limit: number;
  periodMs: number;
}

export interface BucketState {
  allowed: boolean;
  remaining: number;
  /** Until the bucket is full again. */
  resetMs: number;
  /** Until the next token, when refused (0 when allowed). */
  retryMs: number;
}

export interface CounterSpec {
  key: string;
  limit: number;
  /** Lifetime of the counter from its first unit (e.g. until the end of the UTC day). */
  ttlMs: number;
  /** Count one unit (if below the limit) rather than only read the counter. */
  take: boolean;
}

export interface CounterState {
  allowed: boolean;
  count: number;
  resetMs: number;
}

export interface Decision {
  bucket: BucketState;
  counter?: CounterState;
}

export interface WindowCount {
  count: number;
  resetMs: number;
}

export interface LimitStore {
  /**
   * Atomically: take a token; if one was granted and `counter.take`, count against the counter too.
   * The in-process store answers without a promise: this runs on every request.
   */
  decide(bucket: BucketSpec, counter?: CounterSpec): Decision | Promise<Decision>;
  /** Gives back one counted unit (a search that failed after it was counted). */
  release(key: string): Promise<void>;
  /** Reads window counters (0 when absent). */
  read(keys: string[]): Promise<WindowCount[]>;
  /**
   * Adds one to each counter and restarts its life: it is forgotten `windowMs` after its latest unit,
   * so `windowMs - resetMs` is the time since that unit (login back-off is measured from it).
   */
  increment(keys: string[], windowMs: number): Promise<WindowCount[]>;
  remove(key: string): Promise<void>;
  close(): void;
}
