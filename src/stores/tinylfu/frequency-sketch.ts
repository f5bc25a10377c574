/**
 * TinyLFU's popularity estimate (Caffeine's FrequencySketch): a count-min sketch of 4-bit counters, two
 * to a byte, four rows. A count saturates at 15, which is plenty to rank keys against each other and
 * keeps the table at half a byte per counter. `reset` halves every counter; the admission filter calls
 * it once per sample period, so yesterday's favourite loses to today's instead of ruling forever.
 */
export class FrequencySketch {
  readonly #table: Uint8Array;
  readonly #mask: number;
  readonly #width: number;

  /** `capacity`: about how many entries the cache holds; the sketch has a counter per row for each. */
  constructor(capacity: number) {
    this.#width = nextPowerOfTwo(Math.max(16, capacity));
    this.#mask = this.#width - 1;
    this.#table = new Uint8Array((this.#width * ROWS) / 2);
  }

  /** How often the key was counted (0-15), an over-estimate only where it shares all four counters. */
  estimate(hash: number): number {
    let min = 15;
    const h2 = secondHash(hash);
    for (let row = 0; row < ROWS; row++) {
      const count = this.#counter(this.#slot(hash, h2, row));
      if (count < min) min = count;
    }
    return min;
  }

  /** Counts one use (each of the key's four counters, unless saturated). */
  increment(hash: number): void {
    const h2 = secondHash(hash);
    for (let row = 0; row < ROWS; row++) {
      const slot = this.#slot(hash, h2, row);
      if (this.#counter(slot) < 15) {
        const byte = slot >>> 1;
        this.#table[byte] = (this.#table[byte] as number) + ((slot & 1) === 0 ? 1 : 16);
      }
    }
  }

  /** Halves every counter, both nibbles of a byte at once. */
  reset(): void {
    const table = this.#table;
    for (let i = 0; i < table.length; i++) table[i] = ((table[i] as number) >>> 1) & 0x77;
  }

  #slot(hash: number, h2: number, row: number): number {
    return row * this.#width + (((hash + Math.imul(row, h2)) >>> 0) & this.#mask);
  }

  #counter(slot: number): number {
    const byte = this.#table[slot >>> 1] as number;
    return (slot & 1) === 0 ? byte & 0x0f : byte >>> 4;
  }
}

const ROWS = 4;

/** Double hashing: row i probes hash + i * h2, where h2 is odd so the probes never coincide. */
export function secondHash(hash: number): number {
  let h = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
  h ^= h >>> 13;
  return (h | 1) >>> 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
