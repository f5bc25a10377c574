import { describe, expect, test } from "bun:test";
import { buildCatalog, createMarketplaces } from "../../src/reference/aggregator/index.ts";
import { convert, RATE_TABLE } from "../../src/reference/aggregator/rates.ts";
import { refine, UnsupportedParameterError } from "../../src/reference/aggregator/refine.ts";

const offers = createMarketplaces(buildCatalog()).flatMap((m) => [...m.offers]);
const base = { request_id: "r", query: "x", categories: [], limit: 1000 };

describe("the reference Aggregator's filters, conversion and pages", () => {
  test("conversion uses the table and the currency's minor units", () => {
    expect(convert(100, "USD", "EUR")).toBe(92);
    expect(convert(92, "EUR", "USD")).toBe(100);
    expect(convert(9.99, "USD", "JPY")).toBe(Math.round(9.99 * RATE_TABLE.perUsd.JPY));
    expect(Number.isInteger(convert(123.45, "EUR", "JPY"))).toBe(true);
  });

  test("rate_date only when something was converted", () => {
    const usdOnly = offers.filter((o) => o.product.currency === "USD");
    expect(refine(usdOnly, { ...base, currency: "USD" }).rate_date).toBeUndefined();
    const converted = refine(offers, { ...base, currency: "JPY" });
    expect(converted.rate_date).toBe(RATE_TABLE.date);
    expect(new Set(converted.results.map((p) => p.currency))).toEqual(new Set(["JPY"]));
  });

  test("a currency without a rate is refused naming `currency`", () => {
    expect(() => refine(offers, { ...base, currency: "BRL" })).toThrow(UnsupportedParameterError);
  });

  test("pages of a sorted list: has_more and total, the last page short", () => {
    const all = refine(offers, {
      ...base,
      sort: "price_desc",
      currency: "USD",
      min_price: 100,
      max_price: 300,
    });
    expect(all.total).toBe(all.results.length);
    expect(all.results.every((p) => p.price >= 100 && p.price <= 300)).toBe(true);
    const last = Math.floor((all.total - 1) / 50) * 50;
    const page = refine(offers, {
      ...base,
      limit: 50,
      offset: last,
      sort: "price_desc",
      currency: "USD",
      min_price: 100,
      max_price: 300,
    });
    expect(page.has_more).toBe(false);
    expect(page.results).toEqual(all.results.slice(last));
    const first = refine(offers, {
      ...base,
      limit: 50,
      sort: "price_desc",
      currency: "USD",
      min_price: 100,
      max_price: 300,
    });
    expect(first.has_more).toBe(true);
  });
});
