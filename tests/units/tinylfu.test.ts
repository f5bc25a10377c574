import { describe, expect, test } from "bun:test";
import { TinyLfuAdmission } from "../../src/stores/tinylfu/admission.ts";
import { Doorkeeper } from "../../src/stores/tinylfu/doorkeeper.ts";
import { FrequencySketch } from "../../src/stores/tinylfu/frequency-sketch.ts";

const hashes = (n: number, seed = 1) =>
  Array.from({ length: n }, (_, i) => Bun.hash.murmur32v3(`key:${i}`, seed));

describe("frequency sketch", () => {
  test("counts a key's uses, saturating at 15 (4-bit counters)", () => {
    const sketch = new FrequencySketch(1000);
    const [h] = hashes(1) as [number];
    expect(sketch.estimate(h)).toBe(0);
    for (let i = 1; i <= 20; i++) {
      sketch.increment(h);
      expect(sketch.estimate(h)).toBe(Math.min(i, 15));
    }
  });

  test("never under-estimates, and is exact for most keys at its sized capacity", () => {
    const sketch = new FrequencySketch(1000);
    const keys = hashes(1000);
    keys.forEach((h, i) => {
      for (let k = 0; k < i % 16; k++) sketch.increment(h);
    });
    let exact = 0;
    keys.forEach((h, i) => {
      const estimate = sketch.estimate(h);
      expect(estimate).toBeGreaterThanOrEqual(Math.min(i % 16, 15));
      if (estimate === i % 16) exact += 1;
    });
    // As many keys as counters per row: a key's four counters all shared with others ~(1 - 1/e)^4 = 16%.
    expect(exact).toBeGreaterThan(800);
  });

  test("reset halves every counter, both of a byte's nibbles", () => {
    const sketch = new FrequencySketch(64);
    const keys = hashes(64);
    keys.forEach((h, i) => {
      for (let k = 0; k < i % 16; k++) sketch.increment(h);
    });
    const before = keys.map((h) => sketch.estimate(h));
    sketch.reset();
    keys.forEach((h, i) => {
      expect(sketch.estimate(h)).toBe(Math.floor((before[i] as number) / 2));
    });
  });
});

describe("doorkeeper", () => {
  test("no false negatives; few false positives at its expected load; clear forgets", () => {
    const door = new Doorkeeper(10_000);
    const seen = hashes(10_000, 1);
    for (const h of seen) door.add(h);
    for (const h of seen) expect(door.has(h)).toBe(true);
    const others = hashes(10_000, 2);
    const falsePositives = others.filter((h) => door.has(h)).length;
    expect(falsePositives).toBeLessThan(500); // ~2-3% at 8 bits a key rounded up to a power of two
    door.clear();
    expect(seen.filter((h) => door.has(h)).length).toBe(0);
  });

  test("add says whether the key was there already", () => {
    const door = new Doorkeeper(100);
    const [h] = hashes(1) as [number];
    expect(door.add(h)).toBe(false);
    expect(door.add(h)).toBe(true);
  });
});

describe("TinyLFU admission", () => {
  test("a first use costs a doorkeeper bit, later ones count in the sketch", () => {
    const admission = new TinyLfuAdmission(100);
    const [a, b] = hashes(2) as [number, number];
    expect(admission.frequency(a)).toBe(0);
    admission.record(a);
    expect(admission.frequency(a)).toBe(1);
    admission.record(a);
    admission.record(a);
    expect(admission.frequency(a)).toBe(3);
    // Ties keep the victim; only strictly more uses get a candidate in.
    admission.record(b);
    admission.record(b);
    admission.record(b);
    expect(admission.admit(b, a)).toBe(false);
    admission.record(b);
    expect(admission.admit(b, a)).toBe(true);
    expect(admission.admit(a, b)).toBe(false);
  });

  test("after a sample period (ten uses per entry) counts halve and the doorkeeper is cleared", () => {
    const admission = new TinyLfuAdmission(10);
    expect(admission.sampleSize).toBe(100);
    const [hot, ...rest] = hashes(60) as [number, ...number[]];
    for (let i = 0; i < 9; i++) admission.record(hot); // doorkeeper + 8 counted
    expect(admission.frequency(hot)).toBe(9);
    // 91 more uses complete the period of 100.
    for (let i = 0; i < 91; i++) admission.record(rest[i % rest.length] as number);
    expect(admission.frequency(hot)).toBe(4);
  });
});
