/**
 * Retries may add at most `ratio` of the calls made in the last window (Envoy's retry budget, 20%), and
 * at least `minimum` per window so a quiet backend still gets its retry. In an outage that caps the extra
 * load retries bring at 1.2x instead of 2x.
 */
export class RetryBudget {
  #start = 0;
  #calls = 0;
  #retries = 0;

  constructor(
    private readonly ratio = 0.2,
    private readonly minimum = 3,
    private readonly windowMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {}

  recordCall(): void {
    this.#roll();
    this.#calls += 1;
  }

  tryRetry(): boolean {
    this.#roll();
    if (this.#retries >= Math.max(this.minimum, this.#calls * this.ratio)) return false;
    this.#retries += 1;
    return true;
  }

  #roll(): void {
    const now = this.clock();
    if (now - this.#start >= this.windowMs) {
      this.#start = now;
      this.#calls = 0;
      this.#retries = 0;
    }
  }
}
