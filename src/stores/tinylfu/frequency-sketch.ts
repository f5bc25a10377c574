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
  estimate(hash: number, h2 = secondHash(hash)): number {
    const table = this.#table;
    let min = 15;
    for (let row = 0; row < ROWS; row++) {
      const slot = row * this.#width + (((hash + Math.imul(row, h2)) >>> 0) & this.#mask);
      const byte = table[slot >>> 1] as number;
      const count = (slot & 1) === 0 ? byte & 0x0f : byte >>> 4;
      if (count < min) min = count;
    }
    return min;
  }

  /** Counts one use (each of the key's four counters, unless saturated). `h2`: secondHash(hash). */
  increment(hash: number, h2 = secondHash(hash)): void {
    const table = this.#table;
    for (let row = 0; row < ROWS; row++) {
      const slot = row * this.#width + (((hash + Math.imul(row, h2)) >>> 0) & this.#mask);
      const at = slot >>> 1;
      const byte = table[at] as number;
      if ((slot & 1) === 0) {
        if ((byte & 0x0f) < 15) table[at] = byte + 1;
      } else if (byte < 0xf0) {
        table[at] = byte + 16;
      }
    }
  }

  /** Halves every counter, both nibbles of a byte at once. */
  reset(): void {
    const table = this.#table;
    for (let i = 0; i < table.length; i++) table[i] = ((table[i] as number) >>> 1) & 0x77;
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
