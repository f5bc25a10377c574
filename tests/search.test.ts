import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, DEMO, get, json, ORIGIN } from "./helpers/http.ts";
import { afterResponses, type Stack, startStack } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

let stack: Stack;
let premium: string;
let free: string;
let expired: string;
beforeAll(async () => {
  stack = await startStack();
  [premium, free, expired] = await Promise.all([
    tokenFor(stack, DEMO.premium),
    tokenFor(stack, DEMO.free),
    tokenFor(stack, DEMO.expired),
  ]);
});
afterAll(() => stack.close());

type Product = { title: string; price: number; source: string; id: string };
const search = (query: string, token: string) => call(stack.app, get(`/search?${query}`, token));
const post = (body: unknown, token: string) =>
  call(stack.app, json("/search", body, { headers: { authorization: `Bearer ${token}` } }));

describe("GET /search", () => {
  test("finds iPhones from several marketplaces, in the contract's shape", async () => {
    const { status, body, headers } = await search("query=iphone", premium);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toStartWith("application/json");
    const results = body.results as Product[];
    expect(results.length).toBeGreaterThan(3);
    expect(results[0]?.title.toLowerCase()).toContain("iphone");
    expect(new Set(results.map((p) => p.source)).size).toBeGreaterThanOrEqual(2);
    expect(body).toMatchObject({ query: "iphone", categories: [], cached: false, limit: 20 });
    expect(body.request_id).toBe(headers.get("x-request-id") as string);
  });

  test("categories may be comma-separated or repeated, and filter the results", async () => {
    const comma = await search("query=apple&categories=phones,laptops&limit=100", premium);
    const repeated = await search("query=apple&categories=phones&categories=laptops&limit=100", premium);
    expect(comma.status).toBe(200);
    expect(comma.body.categories).toEqual(["phones", "laptops"]);
    expect(repeated.body.categories).toEqual(["phones", "laptops"]);
    expect((comma.body.results as Product[]).map((p) => p.id)).toEqual(
      (repeated.body.results as Product[]).map((p) => p.id),
    );
    const titles = (comma.body.results as Product[]).map((p) => p.title.toLowerCase());
    expect(titles.some((t) => t.includes("iphone"))).toBe(true);
    expect(titles.some((t) => t.includes("macbook"))).toBe(true);
    expect(titles.some((t) => t.includes("ipad"))).toBe(false);
  });

  test("a limit above the plan's maximum is clamped (free: 20, premium: 100)", async () => {
    const f = await search("query=apple&limit=500", free);
    expect(f.status).toBe(200);
    expect(f.body.limit).toBe(20);
    expect((f.body.results as Product[]).length).toBeLessThanOrEqual(20);
    const p = await search("query=apple&limit=500", premium);
    expect(p.body.limit).toBe(100);
    expect((p.body.results as Product[]).length).toBeGreaterThan(20);
    const small = await search("query=apple&limit=3", premium);
    expect((small.body.results as Product[]).length).toBe(3);
  });

  test("more categories than the plan allows is 403 saying so; premium may", async () => {
    const { status, body } = await search("query=apple&categories=phones,laptops,tablets", free);
    expect(status).toBe(403);
    expect(body.detail).toContain("at most 2 categories");
    expect(body.type).toBe("/problems/forbidden");
    expect((await search("query=apple&categories=phones,laptops,tablets", expired)).status).toBe(403);
    expect((await search("query=apple&categories=phones,laptops,tablets", premium)).status).toBe(200);
  });

  test("bad input is 422 with the field named", async () => {
    const cases = [
      "limit=5",
      "query=%20%20%20",
      `query=${"a".repeat(201)}`,
      "query=ab%07cd",
      "query=iphone&limit=0",
      "query=iphone&limit=abc",
      "query=iphone&limit=2.5",
      "query=iphone&categories=Phones",
      "query=iphone&categories=a_b",
    ];
    for (const q of cases) {
      const { status, body, headers } = await search(q, premium);
      expect({ q, status }).toEqual({ q, status: 422 });
      expect(headers.get("content-type")).toBe("application/problem+json");
      expect((body.errors as unknown[]).length).toBeGreaterThan(0);
    }
    const { body } = await search("query=iphone&limit=abc", premium);
    expect(body.errors).toEqual([{ field: "limit", message: expect.stringContaining("integer") }]);
  });

  test("a query with commas or brackets is one string; only categories are comma-separated", async () => {
    for (const [q, query] of [
      ["query=iphone,13", "iphone,13"],
      ["query=iphone%2C13", "iphone,13"],
      ["query=%5B1,2%5D", "[1,2]"],
      ["query={%22a%22:1}", '{"a":1}'],
    ] as const) {
      const { status, body } = await search(`${q}&categories=phones,laptops`, premium);
      expect({ q, status, query: body.query }).toEqual({ q, status: 200, query });
      expect(body.categories).toEqual(["phones", "laptops"]);
    }
    // A repeated query is ambiguous, not joined: still a 422 naming the field.
    const { status, body } = await search("query=iphone&query=13", premium);
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ field: "query", message: expect.stringContaining("string") }]);
  });

  test("a query of exactly 200 characters after trimming is accepted", async () => {
    expect((await search(`query=${encodeURIComponent(`  ${"a".repeat(200)}  `)}`, premium)).status).toBe(200);
  });

  test("needs a token", async () => {
    expect((await call(stack.app, get("/search?query=iphone"))).status).toBe(401);
  });
});

describe("POST /search", () => {
  test("JSON body gives the same answer as GET", async () => {
    const viaPost = await post({ query: "macbook", categories: ["laptops"], limit: 5 }, premium);
    const viaGet = await search("query=macbook&categories=laptops&limit=5", premium);
    expect(viaPost.status).toBe(200);
    expect((viaPost.body.results as Product[]).map((p) => p.id)).toEqual(
      (viaGet.body.results as Product[]).map((p) => p.id),
    );
  });

  test("wrong types are 422, malformed JSON 400, a body over 16 KiB 413", async () => {
    expect((await post({ query: 5 }, premium)).status).toBe(422);
    expect((await post({ query: "x", limit: "many" }, premium)).status).toBe(422);
    expect((await post("{not json", premium)).status).toBe(400);
    const big = await post({ query: "x", pad: "y".repeat(17 * 1024) }, premium);
    expect(big.status).toBe(413);
    expect(big.body.type).toBe("/problems/payload-too-large");
  });

  test("a form body is 415: only /login takes forms", async () => {
    const request = new Request(`${ORIGIN}/search`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${premium}` },
      body: "query=iphone",
    });
    const { status, body } = await call(stack.app, request);
    expect(status).toBe(415);
    expect(body.detail).toContain("send application/json.");
  });

  test("without a token, bad input is still a 401: nothing about the input is checked first", async () => {
    expect((await call(stack.app, get("/search?query=iphone&limit=abc"))).status).toBe(401);
    expect((await call(stack.app, get("/search"))).status).toBe(401);
  });

  test("a token verified on this request and a remembered one get the same answers: 401 first, then 422", async () => {
    // A token just issued has not been verified yet: its first search awaits the verification, the
    // next ones take the remembered claims without a promise. Both check the caller before the query.
    const fresh = await tokenFor(stack, DEMO.free);
    const first = await search("query=&limit=abc", fresh);
    const again = await search("query=&limit=abc", fresh);
    expect(first.status).toBe(422);
    expect(again.status).toBe(422);
    const { request_id: _a, ...firstProblem } = first.body as Record<string, unknown>;
    const { request_id: _b, ...againProblem } = again.body as Record<string, unknown>;
    expect(againProblem).toEqual(firstProblem);
    expect((firstProblem.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      "limit",
      "query",
    ]);
    expect((await search("query=&limit=abc", `${fresh}x`)).status).toBe(401);
    expect((await search("query=iphone", await tokenFor(stack, DEMO.free))).status).toBe(200);
  });

  test("a hot query string's input is shared, its plan's clamp and checks still each caller's own", async () => {
    const asked = "query=hot%20phone&limit=50&categories=phones";
    const first = await search(asked, premium);
    const hit = await search(asked, premium);
    expect([first.status, hit.status]).toEqual([200, 200]);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    // The input read from the string is remembered now; the free plan's clamp is applied all the same.
    const byFree = await search(asked, free);
    expect(byFree.status).toBe(200);
    expect((byFree.body as { limit: number }).limit).toBe(20);
    const again = await search(asked, premium);
    expect(again.body).toMatchObject({ limit: 50, query: "hot phone", categories: ["phones"] });
    expect((await search(asked, "not-a-token")).status).toBe(401);
  });

  test("more than 100 comma-separated categories is a 422 naming the field, not a 500", async () => {
    const many = Array.from({ length: 101 }, (_, i) => `c${i}`).join(",");
    const { status, body } = await call(stack.app, get(`/search?query=x&categories=${many}`, premium));
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ field: "categories", message: expect.stringContaining("at most 100") }]);
    const limit = await call(stack.app, get("/search?query=x&limit=0", premium));
    expect(limit.body.errors).toEqual([{ field: "limit", message: expect.stringContaining("integer") }]);
  });

  test("a chunked body over the limit is refused while streaming", async () => {
    const chunk = new TextEncoder().encode("a".repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const request = new Request(`${ORIGIN}/search`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${premium}` },
      body,
    });
    const { status } = await call(stack.app, request);
    expect(status).toBe(413);
    expect(sent).toBeLessThan(100);
  });
});

describe("the query's length is one rule on both sides of the Aggregator contract", () => {
  // Code points, as a user counts and as JSON Schema's maxLength means: 101 emoji are 202 UTF-16 units,
  // which an Aggregator counting units refused after the gateway had let them through (a 502).
  const fits = [`${"a".repeat(199)}\u{1F600}`, "\u{1F600}".repeat(101), "\u{1F600}".repeat(200)];
  const tooLong = [`${"a".repeat(200)}\u{1F600}`, "\u{1F600}".repeat(201)];
  const routes = [
    ["GET", (query: string) => search(`query=${encodeURIComponent(query)}`, premium)],
    ["POST", (query: string) => post({ query }, premium)],
  ] as const;

  for (const [method, send] of routes) {
    test(`${method} /search: up to 200 code points reach the reference Aggregator and answer 200`, async () => {
      for (const query of fits) {
        const { status, body } = await send(query);
        expect({ units: query.length, status }).toEqual({ units: query.length, status: 200 });
        expect(body.query).toBe(query);
      }
    });

    test(`${method} /search: 201 code points are the gateway's 422, not a 502 from the Aggregator`, async () => {
      for (const query of tooLong) {
        const { status, body } = await send(query);
        expect({ units: query.length, status }).toEqual({ units: query.length, status: 422 });
        expect(body.errors).toEqual([{ field: "query", message: expect.stringContaining("200") }]);
      }
    });
  }
});

describe("request ids and the rest of the surface", () => {
  test("a sane client request id is kept; an insane one replaced", async () => {
    const kept = await call(
      stack.app,
      get("/search?query=iphone", premium, { "x-request-id": "abc.DEF_123-x" }),
    );
    expect(kept.headers.get("x-request-id")).toBe("abc.DEF_123-x");
    expect(kept.body.request_id).toBe("abc.DEF_123-x");
    for (const bad of ["has space", "x".repeat(129), "semi;colon", "<script>"]) {
      const replaced = await call(stack.app, get("/healthz", undefined, { "x-request-id": bad }));
      expect(replaced.headers.get("x-request-id")).not.toBe(bad);
      expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  test("unknown routes are a 404 problem with the request id", async () => {
    const { status, body, headers } = await call(stack.app, get("/nowhere"));
    expect(status).toBe(404);
    expect(headers.get("content-type")).toBe("application/problem+json");
    expect(body).toMatchObject({ type: "/problems/not-found", status: 404, title: "Not found" });
    expect(body.request_id).toBe(headers.get("x-request-id") as string);
  });

  test("healthz answers without backends; readyz checks them", async () => {
    expect((await call(stack.app, get("/healthz"))).body).toEqual({ status: "ok" });
    const ready = await call(stack.app, get("/readyz"));
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: "ready",
      checks: { users: { ok: true }, aggregator: { ok: true } },
    });
  });

  test("each request is logged once as JSON, without the token", async () => {
    const marker = "log-check-1";
    await call(stack.app, get("/profile", premium, { "x-request-id": marker }));
    await afterResponses(stack); // the line is written after the response is sent
    const lines = stack.logs.filter((line) => line.includes(marker));
    expect(lines.length).toBe(1);
    const record = JSON.parse(lines[0] ?? "{}");
    expect(record).toMatchObject({
      msg: "request",
      method: "GET",
      route: "/profile",
      status: 200,
      plan: "premium",
    });
    expect(typeof record.duration_ms).toBe("number");
    expect(stack.logs.join("\n")).not.toContain(premium);
    expect(stack.logs.join("\n")).not.toContain(DEMO.premium.password);
  });
});
