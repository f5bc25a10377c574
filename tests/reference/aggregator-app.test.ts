import { describe, expect, test } from "bun:test";
import { Problem } from "../../src/models/problem.ts";
import { AggregatorSearchResponse } from "../../src/models/search.ts";
import {
  buildCatalog,
  CATEGORIES,
  createAggregatorApp,
  createMarketplaces,
  MARKETPLACE_SPECS,
  type Marketplace,
} from "../../src/reference/aggregator/index.ts";
import { bodyAs, get, postJson } from "./helpers.ts";

const app = createAggregatorApp();
const categoryOf = new Map(buildCatalog().map((item) => [item.sku, item.category]));
const skuOf = (id: string) => id.slice(id.indexOf(":") + 1);

async function search(
  body: Record<string, unknown>,
  target: { handle(request: Request): Promise<Response> } = app,
): Promise<AggregatorSearchResponse> {
  const response = await target.handle(
    postJson("/v1/search", { request_id: "req-1", categories: [], limit: 50, ...body }),
  );
  expect(response.status).toBe(200);
  return bodyAs(AggregatorSearchResponse, response);
}

describe("POST /v1/search", () => {
  test('"iphone" returns Apple iPhones first, and only phones that match', async () => {
    const { results, request_id } = await search({ query: "iphone", limit: 20 });
    expect(request_id).toBe("req-1");
    expect(results.length).toBe(20);
    for (const product of results) expect(product.title).toStartWith("Apple iPhone");
    expect(new Set(results.map((p) => p.source)).size).toBeGreaterThanOrEqual(2);
  });

  test.each([
    ["macbook", "MacBook"],
    ["galaxy", "Galaxy"],
    ["pixel", "Pixel"],
    ["playstation", "PlayStation"],
  ])('"%s" finds several matching products', async (query, needle) => {
    const { results } = await search({ query });
    expect(results.length).toBeGreaterThanOrEqual(5);
    for (const product of results) expect(product.title).toContain(needle);
  });

  test('"sony headphones" ranks Sony headphones above other Sony products', async () => {
    const { results } = await search({ query: "sony headphones", limit: 10 });
    for (const product of results) {
      expect(product.title).toStartWith("Sony ");
      expect(categoryOf.get(skuOf(product.id))).toBe("headphones");
    }
  });

  test("honours categories (empty means all) and limit", async () => {
    const all = await search({ query: "galaxy", limit: 1000 });
    const allCategories = new Set(all.results.map((p) => categoryOf.get(skuOf(p.id))));
    expect(allCategories.size).toBeGreaterThanOrEqual(3);
    const tablets = await search({ query: "galaxy", categories: ["tablets"], limit: 1000 });
    expect(tablets.results.length).toBeGreaterThan(0);
    for (const p of tablets.results) expect(categoryOf.get(skuOf(p.id))).toBe("tablets");
    const limited = await search({ query: "galaxy", categories: ["tablets", "phones"], limit: 3 });
    expect(limited.results.length).toBe(3);
    expect((await search({ query: "galaxy", categories: ["no-such-category"] })).results).toEqual([]);
  });

  test("is deterministic and drops non-matching items", async () => {
    const [first, second] = [await search({ query: "apple watch" }), await search({ query: "apple watch" })];
    expect(first.results.length).toBeGreaterThan(0);
    expect(second.results).toEqual(first.results);
    expect((await search({ query: "zzzzqx" })).results).toEqual([]);
  });

  test("reports a source for every marketplace", async () => {
    const { sources } = await search({ query: "pixel" });
    expect(sources?.map((s) => s.name)).toEqual(MARKETPLACE_SPECS.map((spec) => spec.name));
    for (const source of sources ?? []) {
      expect(source.ok).toBe(true);
      expect(source.took_ms).toBeGreaterThanOrEqual(0);
    }
  });

  test("asks the marketplaces concurrently", async () => {
    const slow = createAggregatorApp({ latencyMs: 150 });
    const started = performance.now();
    const { sources } = await search({ query: "pixel" }, slow);
    const elapsed = performance.now() - started;
    for (const source of sources ?? []) expect(source.took_ms).toBeGreaterThanOrEqual(140);
    // Sequential would take at least 3 × 150 ms.
    expect(elapsed).toBeLessThan(2 * 150 + 100);
  });

  test("a failing marketplace is reported as not ok; the others still answer", async () => {
    const [first, ...rest] = createMarketplaces(buildCatalog());
    if (first === undefined) throw new Error("no marketplaces");
    const broken: Marketplace = { ...first, search: () => Promise.reject(new Error("down")) };
    const partial = createAggregatorApp({ marketplaces: [broken, ...rest] });
    const { results, sources } = await search({ query: "iphone" }, partial);
    expect(sources?.find((s) => s.name === first.name)?.ok).toBe(false);
    expect(sources?.filter((s) => s.ok).length).toBe(rest.length);
    expect(results.length).toBeGreaterThan(0);
    expect(results.some((p) => p.source === first.name)).toBe(false);
  });

  test.each([
    ["missing request_id", { query: "iphone", categories: [], limit: 5 }],
    ["empty query", { request_id: "r", query: "", categories: [], limit: 5 }],
    ["limit 0", { request_id: "r", query: "iphone", categories: [], limit: 0 }],
    ["limit above 1000", { request_id: "r", query: "iphone", categories: [], limit: 1001 }],
    ["bad category", { request_id: "r", query: "iphone", categories: ["Phones!"], limit: 5 }],
    ["query too long", { request_id: "r", query: "x".repeat(201), categories: [], limit: 5 }],
    ["201 emoji", { request_id: "r", query: "\u{1F600}".repeat(201), categories: [], limit: 5 }],
  ])("%s is a 422 problem", async (_, body) => {
    const response = await app.handle(postJson("/v1/search", body));
    expect(response.status).toBe(422);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = await bodyAs(Problem, response);
    expect(problem.errors?.length).toBeGreaterThan(0);
  });

  test("a query's length is counted in code points, as the gateway counts it: 200 emoji are accepted", async () => {
    for (const query of ["\u{1F600}".repeat(200), `${"a".repeat(199)}\u{1F600}`]) {
      expect(await search({ query })).toMatchObject({ request_id: "req-1" });
    }
  });

  test("malformed JSON is a 400 problem", async () => {
    const response = await app.handle(postJson("/v1/search", "{"));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("GET /healthz", () => {
  test("reports the catalog size", async () => {
    const response = await app.handle(get("/healthz"));
    expect(await response.json()).toEqual({ status: "ok", products: buildCatalog().length });
    expect(CATEGORIES.length).toBeGreaterThanOrEqual(6);
  });
});
