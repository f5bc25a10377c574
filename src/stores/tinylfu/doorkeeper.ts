import { nextPowerOfTwo, secondHash } from "./frequency-sketch.ts";

/**
 * TinyLFU's doorkeeper: a Bloom filter in front of the sketch, so a key seen once costs a few bits and
 * only a key seen again reaches the counters. Most keys of a long-tailed mix are seen once per sample;
 * without this they would crowd the counters and inflate everyone's estimate. Cleared with each halving.
 */
export class Doorkeeper {
  readonly #bits: Uint32Array;
  readonly #mask: number;

  /** `expected`: distinct keys per sample period; ~8 bits each keeps false positives near 2% at 4 probes. */
  constructor(expected: number) {
    const bits = nextPowerOfTwo(Math.max(64, expected * 8));
    this.#bits = new Uint32Array(bits / 32);
    this.#mask = bits - 1;
  }

  has(hash: number, h2 = secondHash(hash)): boolean {
    const bits = this.#bits;
    for (let i = 0; i < PROBES; i++) {
      const bit = ((hash + Math.imul(i + 1, h2)) >>> 0) & this.#mask;
      if (((bits[bit >>> 5] as number) & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Sets the key's bits; true when they were all set already (the key was, probably, seen before). */
  add(hash: number, h2 = secondHash(hash)): boolean {
    const bits = this.#bits;
    let seen = true;
    for (let i = 0; i < PROBES; i++) {
      const bit = ((hash + Math.imul(i + 1, h2)) >>> 0) & this.#mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      const old = bits[word] as number;
      if ((old & flag) === 0) {
        seen = false;
        bits[word] = old | flag;
      }
    }
    return seen;
  }

  clear(): void {
    this.#bits.fill(0);
  }
}

const PROBES = 4;
