import { Doorkeeper } from "./doorkeeper.ts";
import { FrequencySketch, secondHash } from "./frequency-sketch.ts";

/**
 * TinyLFU: who is more popular, the entry that wants in or the one that would have to go out? Uses are
 * recorded by key hash; a key's first use in a sample period sets doorkeeper bits, later ones count in
 * the sketch. After `sampleSize` uses (ten per entry the cache holds) the sketch is halved and the
 * doorkeeper cleared, so the estimate follows what is popular now.
 */
export class TinyLfuAdmission {
  readonly #sketch: FrequencySketch;
  readonly #doorkeeper: Doorkeeper;
  readonly sampleSize: number;
  #uses = 0;

  constructor(capacity: number) {
    const entries = Math.max(1, capacity);
    this.sampleSize = 10 * entries;
    this.#sketch = new FrequencySketch(entries);
    this.#doorkeeper = new Doorkeeper(this.sampleSize);
  }

  record(hash: number): void {
    const h2 = secondHash(hash);
    if (this.#doorkeeper.add(hash, h2)) this.#sketch.increment(hash, h2);
    if (++this.#uses >= this.sampleSize) {
      this.#sketch.reset();
      this.#doorkeeper.clear();
      this.#uses = 0;
    }
  }

  /** Uses of the key in about the last sample period (0-16). */
  frequency(hash: number): number {
    const h2 = secondHash(hash);
    const counted = this.#sketch.estimate(hash, h2);
    return this.#doorkeeper.has(hash, h2) ? counted + 1 : counted;
  }

  /**
   * Ties go to the victim, as in Caffeine: an entry already kept has proven itself at least once, and
   * admitting on a tie would let a scan of one-off keys (all at the same low count) churn the cache.
   */
  admit(candidate: number, victim: number): boolean {
    return this.frequency(candidate) > this.frequency(victim);
  }
}
