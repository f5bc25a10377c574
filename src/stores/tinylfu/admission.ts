import { Doorkeeper } from "./doorkeeper.ts";
import { FrequencySketch, secondHash } from "./frequency-sketch.ts";

const WARM = 6;

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
  #state: number;

  constructor(capacity: number, seed = 1) {
    this.#state = seed | 1;
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
   * Also as in Caffeine, a candidate that is warm itself (6 or more uses) gets in 1 time in 128 even so:
   * a victim whose four counters all happen to be shared with hot keys reads hot however rarely it is
   * used, and since it stays the next victim it would otherwise turn away every candidate until the
   * next halving.
   */
  admit(candidate: number, victim: number): boolean {
    const candidateFrequency = this.frequency(candidate);
    if (candidateFrequency > this.frequency(victim)) return true;
    return candidateFrequency >= WARM && (this.#random() & 127) === 0;
  }

  /** xorshift32: cheap, and seeded so that a test or a replay is reproducible. */
  #random(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x;
    return x >>> 0;
  }
}
