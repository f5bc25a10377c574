import { describe, expect, test } from "bun:test";
import { queryTerms, type Rankable, rank, score, tokenize } from "../../src/reference/aggregator/index.ts";

function item(id: string, title: string, extra: Partial<Rankable> = {}): Rankable {
  return {
    id,
    brand: title.split(" ")[0] ?? "",
    category: "phones",
    tokens: tokenize(title),
    priceUsd: 100,
    ...extra,
  };
}

describe("tokenize and queryTerms", () => {
  test("lower-cases, splits on punctuation and folds diacritics", () => {
    expect(tokenize('Apple MacBook Air 13" M3, 8GB RAM')).toEqual([
      "apple",
      "macbook",
      "air",
      "13",
      "m3",
      "8gb",
      "ram",
    ]);
    expect(tokenize("Café WH-1000XM5")).toEqual(["cafe", "wh", "1000xm5"]);
  });

  test("drops duplicates and stop words, unless nothing else is left", () => {
    expect(queryTerms("The iPhone for the iPhone")).toEqual(["iphone"]);
    expect(queryTerms("the")).toEqual(["the"]);
    expect(queryTerms("  ¡!  ")).toEqual([]);
  });
});

describe("score", () => {
  const phone = item("a", "Apple iPhone 15 Pro, 256GB");

  test("exact beats prefix, and no match is zero", () => {
    expect(score(["iphone"], phone)).toBeGreaterThan(score(["iph"], phone));
    expect(score(["iph"], phone)).toBeGreaterThan(0);
    expect(score(["android"], phone)).toBe(0);
    expect(score([], phone)).toBe(0);
  });

  test("a one-letter term does not prefix-match", () => {
    expect(score(["p"], phone)).toBe(0);
  });

  test("brand and category words add to the score", () => {
    const earbuds = item("b", "Sony WF-1000XM5 Wireless Earbuds", { category: "headphones" });
    const tv = item("c", "Sony BRAVIA 8 OLED 4K Google TV", { category: "tvs" });
    expect(score(["sony", "headphones"], earbuds)).toBeGreaterThan(score(["sony", "headphones"], tv));
    expect(score(["phone"], phone)).toBeGreaterThan(0);
  });

  test("matching every term earns a bonus over matching some", () => {
    const other = item("d", "Apple iPhone 14, 128GB");
    expect(score(["iphone", "pro"], phone)).toBeGreaterThan(score(["iphone", "pro"], other) + 3);
  });
});

describe("rank", () => {
  test("drops non-matches and orders by score, then price, then id", () => {
    const items = [
      item("z", "Apple iPhone 15, 128GB", { priceUsd: 500 }),
      item("y", "Apple iPhone 15, 128GB", { priceUsd: 400 }),
      item("x", "Apple iPhone 15, 128GB", { priceUsd: 400 }),
      item("w", "Apple iPhone 15 Pro Max, 128GB", { priceUsd: 100 }),
      item("v", "Google Pixel 9, 128GB", { priceUsd: 1 }),
    ];
    expect(rank("iphone 15", items).map((i) => i.id)).toEqual(["x", "y", "z", "w"]);
  });

  test("an empty query matches nothing", () => {
    expect(rank("", [item("a", "Apple iPhone 15")])).toEqual([]);
  });
});
