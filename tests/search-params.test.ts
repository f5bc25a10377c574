import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, DEMO, get, json } from "./helpers/http.ts";
import { type Stack, startStack } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

// In-process (app.handle) for the many refusals; tests/search-pages.test.ts walks pages over sockets.
let stack: Stack;
let premium: string;
let free: string;
beforeAll(async () => {
  stack = await startStack();
  [premium, free] = await Promise.all([tokenFor(stack, DEMO.premium), tokenFor(stack, DEMO.free)]);
});
afterAll(() => stack.close());

type Product = { id: string; price: number; currency: string; source: string; rating?: number };
type Problem = { type: string; status: number; detail: string; errors?: { field: string }[] };
const search = (query: string, token = premium) => call(stack.app, get(`/search?${query}`, token));
const post = (body: unknown, token = premium) =>
  call(stack.app, json("/search", body, { headers: { authorization: `Bearer ${token}` } }));
/** What is left of the free user's day quota, from /profile (which spends none of it). */
const dayLeft = async (token = free) => {
  const { body } = await call(stack.app, get("/profile", token));
  return (body.usage as { day: { remaining: number } }).day.remaining;
};
const fields = (body: unknown) => ((body as Problem).errors ?? []).map((e) => e.field);

describe("parameters that are refused with 422, on GET and POST alike", () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    [
      "min_price above max_price",
      "min_price=500&max_price=100",
      { min_price: 500, max_price: 100 },
      "min_price",
    ],
    ["a negative min_price", "min_price=-1", { min_price: -1 }, "min_price"],
    ["a negative max_price", "max_price=-0.5", { max_price: -0.5 }, "max_price"],
    ["a non-numeric max_price", "max_price=cheap", { max_price: "cheap" }, "max_price"],
    ["a currency that is not three letters", "currency=EURO", { currency: "EURO" }, "currency"],
    ["a currency ISO 4217 does not have", "currency=XYZ", { currency: "XYZ" }, "currency"],
    ["an unknown sort", "sort=cheapest", { sort: "cheapest" }, "sort"],
    ["an empty sources", "sources=", { sources: [] }, "sources"],
    ["a source name of an unknown format", "sources=Shop%20Now", { sources: ["Shop Now"] }, "sources"],
    ["an empty source among others", "sources=shopnow,", { sources: ["shopnow", ""] }, "sources"],
    ["a cursor that is not base64url", "cursor=a%2Bb", { cursor: "a+b" }, "cursor"],
  ];
  for (const [what, query, body, field] of cases) {
    test(`${what}: GET`, async () => {
      const answer = await search(`query=iphone&${query}`);
      expect(answer.status).toBe(422);
      expect(answer.headers.get("content-type")).toStartWith("application/problem+json");
      expect(fields(answer.body)).toContain(field);
    });
    test(`${what}: POST`, async () => {
      const answer = await post({ query: "iphone", ...body });
      expect(answer.status).toBe(422);
      expect(fields(answer.body)).toContain(field);
    });
  }

  test("a refused search costs no daily search", async () => {
    const before = await dayLeft();
    expect((await search("query=iphone&min_price=9&max_price=1", free)).status).toBe(422);
    expect(await dayLeft()).toBe(before);
  });
});

describe("the parameters reach the Aggregator and shape the answer", () => {
  test("price filters are inclusive bounds, in the currency asked for", async () => {
    const { status, body } = await search("query=iphone&min_price=500&max_price=800&limit=100&currency=USD");
    expect(status).toBe(200);
    const results = body.results as Product[];
    expect(results.length).toBeGreaterThan(0);
    for (const p of results) {
      expect(p.currency).toBe("USD");
      expect(p.price).toBeGreaterThanOrEqual(500);
      expect(p.price).toBeLessThanOrEqual(800);
    }
    // Unfiltered, the same search has offers on both sides of the bounds: the filter did the cutting.
    const all = (await search("query=iphone&limit=100&currency=USD")).body.results as Product[];
    expect(all.some((p) => p.price < 500) && all.some((p) => p.price > 800)).toBe(true);
  });

  test("without a currency the bounds are USD and offers keep their own currency", async () => {
    const { body } = await search("query=iphone&min_price=500&max_price=800&limit=100");
    const results = body.results as Product[];
    expect(results.some((p) => p.currency === "EUR")).toBe(true);
    for (const p of results) {
      const usd = p.currency === "EUR" ? p.price / 0.92 : p.price;
      expect(usd).toBeGreaterThanOrEqual(500 - 0.01);
      expect(usd).toBeLessThanOrEqual(800 + 0.01);
    }
    expect(body.rate_date).toBeUndefined();
  });

  test("currency converts every offer and the answer names the rate table's date", async () => {
    // One marketplace, all of its offers, so both answers list the same offers.
    const plain = await search("query=iphone&limit=100&sources=pricehunter");
    const listed = plain.body.results as Product[];
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((p) => p.currency))).toEqual(new Set(["EUR"]));
    expect(plain.body.rate_date).toBeUndefined();
    const { status, body } = await search("query=iphone&limit=100&sources=pricehunter&currency=usd");
    expect(status).toBe(200);
    const shown = body.results as Product[];
    expect(shown.map((p) => p.id)).toEqual(listed.map((p) => p.id));
    expect(new Set(shown.map((p) => p.currency))).toEqual(new Set(["USD"]));
    expect(body.rate_date).toBe("2026-11-30");
    // At the table's rate (0.92 EUR per USD), to the cent.
    for (const [i, p] of shown.entries()) {
      expect(Math.abs(p.price - (listed[i] as Product).price / 0.92)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
  });

  test("a currency with no rate in the reference table is the Aggregator's 400, naming the parameter", async () => {
    const { status, body } = await search("query=iphone&currency=BRL");
    expect(status).toBe(400);
    expect(body).toMatchObject({ type: "/problems/unsupported-parameter", parameter: "currency" });
  });

  test("sources keeps only those marketplaces, in results and in sources", async () => {
    const { status, body } = await search("query=iphone&limit=100&sources=pricehunter,megamart");
    expect(status).toBe(200);
    const shops = new Set((body.results as Product[]).map((p) => p.source));
    expect(shops).toEqual(new Set(["pricehunter", "megamart"]));
    expect((body.sources as { name: string }[]).map((s) => s.name).sort()).toEqual([
      "megamart",
      "pricehunter",
    ]);
  });

  test("each sort orders the results, ties by id", async () => {
    for (const [sort, key, dir] of [
      ["price_asc", "price", 1],
      ["price_desc", "price", -1],
      ["rating_desc", "rating", -1],
    ] as const) {
      const { body } = await search(`query=galaxy&limit=100&currency=USD&sort=${sort}`);
      const results = body.results as Product[];
      expect(results.length).toBeGreaterThan(5);
      for (let i = 1; i < results.length; i++) {
        const [a, b] = [results[i - 1] as Product, results[i] as Product];
        const [va, vb] = [a[key] ?? -1, b[key] ?? -1];
        expect(dir * (vb - va)).toBeGreaterThanOrEqual(0);
        if (va === vb) expect(a.id < b.id).toBe(true);
      }
    }
  });
});

describe("cursors", () => {
  const first = async (query: string, token = premium) => {
    const answer = await search(query, token);
    expect(answer.status).toBe(200);
    return answer.body;
  };

  test("the first page is page 1 and names the next; a cursor flipped by one byte is a 400", async () => {
    const body = await first("query=iphone&limit=5");
    expect(body.page).toBe(1);
    const cursor = body.next_cursor as string;
    expect(typeof cursor).toBe("string");
    const bytes = Buffer.from(cursor, "base64url");
    for (const at of [0, 3, 12, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[at] = (flipped[at] as number) ^ 1;
      const answer = await search(`query=iphone&limit=5&cursor=${flipped.toString("base64url")}`);
      expect(answer.status).toBe(400);
      expect(answer.headers.get("content-type")).toStartWith("application/problem+json");
      expect(answer.body).toMatchObject({ type: "/problems/invalid-cursor" });
      expect(answer.body.detail).toContain("altered");
    }
    const good = await search(`query=iphone&limit=5&cursor=${cursor}`);
    expect(good.status).toBe(200);
    expect(good.body.page).toBe(2);
  });

  test("a cursor used with another query, filters, sort or limit is a 400 saying so", async () => {
    const body = await first("query=iphone&limit=5&sort=price_asc&max_price=900");
    const cursor = body.next_cursor as string;
    for (const other of [
      "query=galaxy&limit=5&sort=price_asc&max_price=900",
      "query=iphone&limit=5&sort=price_desc&max_price=900",
      "query=iphone&limit=5&sort=price_asc&max_price=901",
      "query=iphone&limit=5&sort=price_asc",
      "query=iphone&limit=6&sort=price_asc&max_price=900",
      "query=iphone&limit=5&sort=price_asc&max_price=900&sources=shopnow",
    ]) {
      const answer = await search(`${other}&cursor=${cursor}`);
      expect(answer.status).toBe(400);
      expect(answer.body.detail).toContain("another search");
    }
    // The same search spelled differently is the same search.
    const same = await search(`query=IPhone&max_price=900.0&sort=price_asc&limit=5&cursor=${cursor}`);
    expect(same.status).toBe(200);
  });

  test("POST takes the cursor in the body, and GET's cursor opens on POST", async () => {
    const body = await first("query=iphone&limit=5&sources=shopnow,megamart");
    const answer = await post({
      query: "iphone",
      limit: 5,
      sources: ["megamart", "shopnow"],
      cursor: body.next_cursor,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.page).toBe(2);
  });

  test("a free plan's page 6 is a 403 naming the plan's limit; page 5 is served", async () => {
    let cursor: string | null = null;
    for (let page = 1; page <= 5; page++) {
      const answer = await search(`query=iphone&limit=2${cursor ? `&cursor=${cursor}` : ""}`, free);
      expect(answer.status).toBe(200);
      expect(answer.body.page).toBe(page);
      cursor = answer.body.next_cursor as string;
    }
    const sixth = await search(`query=iphone&limit=2&cursor=${cursor}`, free);
    expect(sixth.status).toBe(403);
    expect(sixth.headers.get("content-type")).toStartWith("application/problem+json");
    expect(sixth.body.detail).toContain("free plan allows paging to at most page 5");
    // Premium may go on with the same cursor: it is bound to the search, not the user.
    expect((await search(`query=iphone&limit=2&cursor=${cursor}`, premium)).status).toBe(200);
  });

  test("the last page has next_cursor null", async () => {
    const { body } = await search("query=iphone&limit=100&sources=megamart&max_price=450&currency=USD");
    expect((body.results as Product[]).length).toBeLessThan(100);
    expect(body.next_cursor).toBeNull();
  });

  test("later pages spend no daily search; the minute's requests still count", async () => {
    const minuteLeft = (h: Headers) => Number(/"minute";r=(\d+)/.exec(h.get("ratelimit") ?? "")?.[1]);
    const one = await search("query=pixel&limit=2", free);
    const before = await dayLeft();
    const two = await search(`query=pixel&limit=2&cursor=${one.body.next_cursor}`, free);
    const three = await search(`query=pixel&limit=2&cursor=${two.body.next_cursor}`, free);
    expect(three.status).toBe(200);
    expect(three.body.page).toBe(3);
    expect(await dayLeft()).toBe(before);
    expect(minuteLeft(three.headers)).toBeLessThan(minuteLeft(one.headers));
    // A new search does spend one.
    await search("query=pixel&limit=3", free);
    expect(await dayLeft()).toBe(before - 1);
  });
});

describe("the cache", () => {
  test("two spellings of the same filters share one entry; each page is its own", async () => {
    const a = await search(
      "query=macbook&sort=price_asc&sources=shopnow,megamart&currency=eur&min_price=1000",
    );
    const b = await search(
      "query=macbook&min_price=1000.00&currency=EUR&sources=megamart,shopnow,megamart&sort=price_asc",
    );
    expect(a.headers.get("x-cache")).toBe("MISS");
    expect(b.headers.get("x-cache")).toBe("HIT");
    expect(b.body.results).toEqual(a.body.results);
    const relevance = await search(
      "query=macbook&sort=relevance&min_price=1000&currency=EUR&sources=shopnow,megamart",
    );
    const plain = await search("query=macbook&min_price=1000&currency=EUR&sources=shopnow,megamart");
    expect(relevance.headers.get("x-cache")).toBe("MISS");
    expect(plain.headers.get("x-cache")).toBe("HIT");
    const next = await search(
      `query=macbook&min_price=1000&currency=EUR&sources=shopnow,megamart&cursor=${plain.body.next_cursor}`,
    );
    expect(next.headers.get("x-cache")).toBe("MISS");
    expect(next.body.page).toBe(2);
  });
});
