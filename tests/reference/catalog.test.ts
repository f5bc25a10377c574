import { describe, expect, test } from "bun:test";
import { Product } from "../../src/models/search.ts";
import {
  buildCatalog,
  CATEGORIES,
  createMarketplaces,
  MARKETPLACE_SPECS,
} from "../../src/reference/aggregator/index.ts";
import { validator } from "./helpers.ts";

const catalog = buildCatalog();
const marketplaces = createMarketplaces(catalog);
const offers = marketplaces.flatMap((marketplace) => marketplace.offers);

describe("catalog", () => {
  test("has at least 300 distinct products over at least 6 categories", () => {
    expect(catalog.length).toBeGreaterThanOrEqual(300);
    expect(new Set(catalog.map((item) => item.sku)).size).toBe(catalog.length);
    expect(new Set(catalog.map((item) => item.title)).size).toBe(catalog.length);
    const categories = new Set(catalog.map((item) => item.category));
    expect(categories.size).toBeGreaterThanOrEqual(6);
    expect([...categories].sort()).toEqual([...CATEGORIES].sort());
    for (const category of CATEGORIES) {
      expect(catalog.filter((item) => item.category === category).length).toBeGreaterThanOrEqual(20);
    }
  });

  test("is deterministic: two builds are deep-equal, and so are the marketplaces over them", () => {
    expect(buildCatalog()).toEqual(catalog);
    const again = createMarketplaces(buildCatalog()).flatMap((marketplace) => marketplace.offers);
    expect(again.map((offer) => offer.product)).toEqual(offers.map((offer) => offer.product));
  });

  test("skus are URL-safe", () => {
    for (const item of catalog) expect(item.sku).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test("includes the well-known lines people search for", () => {
    const titles = catalog.map((item) => item.title);
    for (const needle of [
      "iPhone",
      "MacBook",
      "Galaxy",
      "Pixel",
      "PlayStation",
      "WH-1000XM5",
      "Xbox",
      "iPad",
    ]) {
      expect(titles.filter((title) => title.includes(needle)).length).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("marketplaces", () => {
  test("at least three, each with its own currency-consistent prices", () => {
    expect(marketplaces.length).toBeGreaterThanOrEqual(3);
    expect(marketplaces.map((m) => m.name)).toEqual(MARKETPLACE_SPECS.map((spec) => spec.name));
    for (const marketplace of marketplaces) {
      expect(marketplace.offers.length).toBeGreaterThan(catalog.length / 2);
      for (const { product } of marketplace.offers) {
        expect(product.currency).toBe(marketplace.currency);
        expect(product.source).toBe(marketplace.name);
        expect(product.id).toStartWith(`${marketplace.name}:`);
        expect(product.url).toStartWith(`https://${marketplace.name}.example/p/`);
      }
    }
  });

  test("every offer validates against the Product model", () => {
    const errorsOf = validator(Product);
    const invalid = offers.filter(({ product }) => errorsOf(product).length > 0);
    expect(invalid.map(({ product }) => [product.id, errorsOf(product)])).toEqual([]);
    expect(offers.some(({ product }) => product.image_url !== undefined)).toBe(true);
    expect(offers.some(({ product }) => product.rating === undefined)).toBe(true);
  });

  test("ids are unique across marketplaces and every product is listed somewhere", () => {
    expect(new Set(offers.map((offer) => offer.id)).size).toBe(offers.length);
    const listed = new Set(offers.map((offer) => offer.id.slice(offer.id.indexOf(":") + 1)));
    expect(listed.size).toBe(catalog.length);
  });

  test("most products are on two or more marketplaces, at different prices", () => {
    const bySku = Map.groupBy(offers, (offer) => offer.id.slice(offer.id.indexOf(":") + 1));
    const multi = [...bySku.values()].filter((group) => group.length >= 2);
    expect(multi.length / catalog.length).toBeGreaterThan(0.75);
    const differentlyPriced = multi.filter((group) => new Set(group.map((o) => o.priceUsd)).size > 1);
    expect(differentlyPriced.length).toBe(multi.length);
  });
});
