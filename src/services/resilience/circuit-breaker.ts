export type CircuitState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  openMs: number;
  /** The failure-rate rule: at least `minCalls` in `windowMs`, `rate` or more of them failed. */
  windowMs?: number;
  minCalls?: number;
  rate?: number;
}

/**
 * One backend's circuit. Closed: calls go through. Open: calls fail at once (the caller answers 503
 * with Retry-After) for `openMs`. Half-open: exactly one probe goes through; its outcome closes or
 * re-opens the circuit. Failure rate is counted over two half-windows, so memory stays constant.
 */
export class CircuitBreaker {
  #state: CircuitState = "closed";
  #consecutive = 0;
  #openedAt = 0;
  #probing = false;
  #window = { start: 0, calls: 0, failed: 0, prevCalls: 0, prevFailed: 0 };
  readonly #o: Required<BreakerOptions>;

  constructor(
    readonly name: string,
    options: BreakerOptions,
    private readonly clock: () => number = Date.now,
  ) {
    this.#o = { windowMs: 10_000, minCalls: 20, rate: 0.5, ...options };
  }

  get state(): CircuitState {
    if (this.#state === "open" && this.clock() - this.#openedAt >= this.#o.openMs) return "half-open";
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  get retryAfterMs(): number {
    return this.#state === "open" ? Math.max(0, this.#openedAt + this.#o.openMs - this.clock()) : 0;
  }

  /** Whether a call may go now; a true in half-open state is the one probe, and must be reported. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open" || this.#probing) return false;
    this.#state = "half-open";
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#count(false);
    this.#consecutive = 0;
    if (this.#state === "half-open") {
      this.#state = "closed";
      this.#probing = false;
    }
  }

  /** An attempt that was no evidence either way: counted for nothing, and a half-open probe is let go. */
  abandon(): void {
    if (this.#state === "half-open") this.#probing = false;
  }

  failure(): void {
    this.#count(true);
    this.#consecutive += 1;
    const w = this.#window;
    const calls = w.calls + w.prevCalls;
    const failed = w.failed + w.prevFailed;
    const overRate = calls >= this.#o.minCalls && failed / calls >= this.#o.rate;
    if (this.#state === "half-open" || this.#consecutive >= this.#o.failures || overRate) this.#open();
  }

  #open(): void {
    this.#state = "open";
    this.#openedAt = this.clock();
    this.#probing = false;
    this.#window = { start: this.clock(), calls: 0, failed: 0, prevCalls: 0, prevFailed: 0 };
  }

  #count(failed: boolean): void {
    const now = this.clock();
    const half = this.#o.windowMs / 2;
    const w = this.#window;
    if (now - w.start >= half) {
      const skipped = now - w.start >= 2 * half;
      this.#window = {
        start: now,
        calls: 0,
        failed: 0,
        prevCalls: skipped ? 0 : w.calls,
        prevFailed: skipped ? 0 : w.failed,
      };
    }
    this.#window.calls += 1;
    if (failed) this.#window.failed += 1;
  }
}
