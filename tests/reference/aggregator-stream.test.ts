import { describe, expect, test } from "bun:test";
import { latencyOf, latencyTable } from "../../src/core/config/parsers.ts";
import { createAggregatorApp } from "../../src/reference/aggregator/index.ts";

const app = createAggregatorApp();
const post = (path: string, body: unknown) =>
  app.handle(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("reference Aggregator: POST /v1/search/stream", () => {
  test("NDJSON: a source per shop with its own offers, then done equal to POST /v1/search's answer", async () => {
    const request = { request_id: "r-1", query: "iphone", categories: ["phones"], limit: 4 };
    const response = await post("/v1/search/stream", request);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const lines = (await response.text())
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => Object.keys(line)[0])).toEqual(["source", "source", "source", "done"]);
    for (const { source } of lines.slice(0, 3)) {
      expect(source.results.length).toBeLessThanOrEqual(4);
      for (const product of source.results) expect(product.source).toBe(source.name);
    }
    const unary = (await (await post("/v1/search", request)).json()) as { results: unknown[] };
    expect(lines[3].done.results).toEqual(unary.results);
  });

  test("an invalid request is refused like /v1/search's (422), not streamed", async () => {
    const response = await post("/v1/search/stream", {
      request_id: "r",
      query: "x",
      categories: [],
      limit: 0,
    });
    expect(response.status).toBe(422);
  });
});

describe("latency tables (GATEWAY_DEMO_LATENCY, reference --latency)", () => {
  test("one number for all shops, or name=ms pairs; anything else is refused", () => {
    expect(latencyOf(latencyTable("50"))).toBe(50);
    expect(latencyOf(latencyTable("shopnow=50, megamart=300"))).toEqual({ shopnow: 50, megamart: 300 });
    expect(() => latencyTable("fast")).toThrow();
    expect(() => latencyTable("shopnow=-1")).toThrow();
  });
});
