import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type FakeBackend, startFakeBackend } from "../helpers/fake-backend.ts";
import { DEMO, get } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";
import { violations } from "./conformance.ts";
import { type Operation, servedOperations } from "./document.ts";

/**
 * The Aggregator's strings are bounded in code points, as the document's JSON Schema `maxLength` counts
 * them (RFC 8259 characters), not in UTF-16 units: a title of 300 emoji is 600 units and within the
 * documented 500, so it must be passed on, not refused as a broken contract (a 502).
 */
const EMOJI = "😀";
let stack: Stack;
let aggregator: FakeBackend;
let token: string;
let searchOp: Operation;
let product: Record<string, unknown>;
let sourceName: string;

beforeAll(async () => {
  aggregator = startFakeBackend(async (request) => {
    const { request_id } = (await request.json()) as { request_id: string };
    return Response.json({
      request_id,
      results: [product],
      sources: [{ name: sourceName, ok: true, took_ms: 3 }],
    });
  });
  stack = await startStack({ flags: { aggregatorUrl: aggregator.url } });
  token = await tokenFor(stack, DEMO.premium);
  const op = (await servedOperations(stack.app)).find((o) => o.operationId === "getSearch");
  if (!op) throw new Error("getSearch is not in the served document");
  searchOp = op;
});
afterAll(async () => {
  await stack.close();
  await aggregator.stop();
});

const offer = (fields: Record<string, unknown>) => ({
  id: "p-1",
  title: "Phone",
  price: 10,
  currency: "EUR",
  url: "https://shop.example/p-1",
  source: "shop",
  ...fields,
});

async function search(query: string) {
  const response = await stack.app.handle(get(`/search?query=${encodeURIComponent(query)}`, token));
  const text = await response.text();
  return {
    status: response.status,
    text,
    problems: violations(searchOp, response.status, response.headers, text),
  };
}

describe("Aggregator strings are bounded in code points, as the document says", () => {
  test("a title of 500 emoji, an id of 200, a URL and a source name at their bounds pass through", async () => {
    product = offer({
      id: EMOJI.repeat(200),
      title: EMOJI.repeat(500),
      source: EMOJI.repeat(100),
      url: `https://shop.example/${EMOJI.repeat(2048 - 21)}`,
    });
    sourceName = EMOJI.repeat(100);
    const { status, text, problems } = await search("emoji-title");
    expect(status).toBe(200);
    expect(problems).toEqual([]);
    const body = JSON.parse(text) as { results: { title: string }[]; sources: { name: string }[] };
    expect(body.results[0]?.title).toBe(EMOJI.repeat(500));
    expect(body.sources[0]?.name).toBe(sourceName);
  });

  test("one code point over a bound is still the Aggregator breaking its contract (502)", async () => {
    product = offer({ title: EMOJI.repeat(501) });
    sourceName = "shop";
    const { status, problems } = await search("emoji-title-over");
    expect(status).toBe(502);
    expect(problems).toEqual([]);
  });
});
