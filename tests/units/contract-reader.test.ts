import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import fc from "fast-check";
import { compileReader } from "../../src/models/contract-reader.ts";
import { AggregatorSearchResponse } from "../../src/models/search.ts";
import { User } from "../../src/models/user.ts";

/**
 * The Aggregator's answer is read by a generated one-pass reader instead of TypeCompiler's check plus a
 * copy. It must accept exactly what TypeCompiler accepts (the contract did not change), and what it
 * returns must hold the checked fields only, whatever else the backend sent.
 */
const reader = compileReader(AggregatorSearchResponse);
const check = TypeCompiler.Compile(AggregatorSearchResponse);

const PRODUCT_KEYS = ["id", "title", "price", "currency", "url", "source", "image_url", "rating"];
const SOURCE_KEYS = ["name", "ok", "took_ms"];

/** The contract's projection of a checked answer: what the old copy (toProduct, toSource) produced. */
function projection(answer: Record<string, unknown>) {
  const pick = (o: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  const out: Record<string, unknown> = {
    request_id: answer.request_id,
    results: (answer.results as Record<string, unknown>[]).map((p) => pick(p, PRODUCT_KEYS)),
  };
  if (answer.sources !== undefined) {
    out.sources = (answer.sources as Record<string, unknown>[]).map((s) => pick(s, SOURCE_KEYS));
  }
  return out;
}

// Values near the contract's edges (bounds, patterns, types) and plainly wrong ones, so that about half
// the generated answers are valid and the rest break one rule or another.
const anything = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer({ min: -2, max: 8 }),
  fc.string({ maxLength: 4 }),
  fc.constantFrom("", "😀".repeat(201), "x".repeat(201), "javascript:alert(1)", "https://a.example/ x"),
  fc.constant({}),
  fc.constant([]),
);
const text = (valid: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: valid }, anything);
const number = (valid: fc.Arbitrary<number>) => fc.oneof({ weight: 4, arbitrary: valid }, anything);
const extra = fc.dictionary(
  fc.constantFrom("extra", "script", "name", "ok", "id", "results", "__proto__", "constructor"),
  anything,
  { maxKeys: 2 },
);
const maybeExtra = fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, extra);
const product = fc.record(
  {
    id: text(fc.oneof(fc.string({ minLength: 1, maxLength: 5 }), fc.constant("x".repeat(200)))),
    title: text(fc.constantFrom("Phone", "😀".repeat(300), "x".repeat(500))),
    price: number(fc.oneof(fc.constantFrom(0, -0.001), fc.double({ min: 0, max: 1e6, noNaN: true }))),
    currency: text(fc.constantFrom("USD", "EUR", "usd", "EURO")),
    url: text(fc.constantFrom("https://shop.example/p/1", "http://s.example/a?b=c")),
    source: text(fc.constantFrom("shop", "megamart")),
    image_url: text(fc.constantFrom("https://img.example/1.png")),
    rating: number(fc.oneof(fc.constantFrom(0, 5, 5.001), fc.double({ min: 0, max: 5, noNaN: true }))),
  },
  { requiredKeys: ["id", "title", "price", "currency", "url", "source"] },
);
const source = fc.record({
  name: text(fc.constantFrom("shop", "megamart")),
  ok: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, anything),
  took_ms: number(fc.oneof(fc.constantFrom(0, -1), fc.double({ min: 0, max: 1e4, noNaN: true }))),
});
const withExtra = <T extends object>(value: fc.Arbitrary<T>) =>
  fc.tuple(value, maybeExtra).map(([v, more]) => Object.assign(JSON.parse(JSON.stringify(more)), v) as T);
const answer = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record(
      {
        request_id: text(fc.string({ maxLength: 8 })),
        results: fc.array(withExtra(product), { maxLength: 4 }),
        sources: fc.array(withExtra(source), { maxLength: 3 }),
      },
      { requiredKeys: ["request_id", "results"] },
    ),
  },
  anything,
);
// Through JSON, as an answer arrives: no undefined values, and `__proto__` an own key as JSON.parse makes it.
const asReceived = withExtra(answer as fc.Arbitrary<object>).map(
  (v) => JSON.parse(JSON.stringify(v)) as unknown,
);

describe("the contract reader", () => {
  test("accepts exactly what TypeCompiler accepts, and returns the contract's projection", () => {
    let accepted = 0;
    fc.assert(
      fc.property(asReceived, (value) => {
        const read = reader.read(value);
        expect(read !== undefined).toBe(check.Check(value));
        if (read === undefined) return;
        accepted += 1;
        expect(read).toEqual(projection(value as Record<string, unknown>) as never);
        // Without a field outside the contract the answer is passed on as it is, otherwise copied.
        const keys = JSON.stringify(value).length === JSON.stringify(read).length;
        expect(read === value).toBe(keys);
      }),
      { numRuns: 4000 },
    );
    // Enough of both sides to mean something (the generator is not all valid or all broken).
    expect(accepted).toBeGreaterThan(150);
    expect(accepted).toBeLessThan(3850);
  });

  test("a field outside the contract is dropped at every depth, a Source key on a product too", () => {
    const sent = JSON.parse(
      JSON.stringify({
        request_id: "r",
        injected: "<script>",
        results: [
          {
            id: "p",
            title: "t",
            price: 1,
            currency: "USD",
            url: "https://s.example/p",
            source: "s",
            name: "a Source key on a product",
            ok: { nested: "<img onerror>" },
          },
        ],
        sources: [{ name: "s", ok: true, took_ms: 1, id: "a Product key on a source" }],
      }),
    );
    const read = reader.read(sent);
    expect(read).toEqual({
      request_id: "r",
      results: [{ id: "p", title: "t", price: 1, currency: "USD", url: "https://s.example/p", source: "s" }],
      sources: [{ name: "s", ok: true, took_ms: 1 }],
    });
    expect(JSON.stringify(read)).not.toMatch(/injected|script|onerror|Source key|Product key/);
  });

  test("a bad value anywhere is refused, with where it is", () => {
    const good = {
      request_id: "r",
      results: [{ id: "p", title: "t", price: 1, currency: "USD", url: "https://s.example/p", source: "s" }],
    };
    const bad: [string, unknown][] = [
      ["/results/0/url", { ...good.results[0], url: "javascript:alert(1)" }],
      ["/results/0/rating", { ...good.results[0], rating: 6 }],
      ["/results/0/title", { ...good.results[0], title: { toString: "x" } }],
      ["/results/0/price", { ...good.results[0], price: -1 }],
    ];
    for (const [path, item] of bad) {
      const value = { ...good, results: [item] };
      expect(reader.read(value)).toBeUndefined();
      expect(reader.firstError(value)).toContain(path);
    }
    expect(reader.read({ ...good, sources: [{ name: "s", ok: "yes", took_ms: 1 }] })).toBeUndefined();
    expect(reader.read(good)).toEqual(good);
  });

  test("a schema it does not know is an error at start, not a check that passes", () => {
    // The Users contract has a `format`: TypeCompiler checks those, so this reader must refuse it.
    expect(() => compileReader(User)).toThrow(/format/);
    expect(() => compileReader(Type.Record(Type.String(), Type.String()))).toThrow(/unsupported/);
    expect(() => compileReader(Type.Object({ a: Type.String() }, { additionalProperties: false }))).toThrow(
      /additionalProperties/,
    );
  });
});
