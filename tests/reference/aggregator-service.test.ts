import { afterAll, beforeAll, expect, test } from "bun:test";
import { AggregatorSearchResponse } from "../../src/models/search.ts";
import { startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { bodyAs } from "./helpers.ts";

let service: RunningService;

beforeAll(async () => {
  service = await startAggregatorService({ port: 0 });
});
afterAll(() => service.stop());

test("answers searches over real HTTP on an OS-picked port", async () => {
  expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
  const response = await fetch(`${service.url}/v1/search`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "e2e-7" },
    body: JSON.stringify({ request_id: "e2e-7", query: "macbook pro", categories: ["laptops"], limit: 5 }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("x-request-id")).toBe("e2e-7");
  const body = await bodyAs(AggregatorSearchResponse, response);
  expect(body.request_id).toBe("e2e-7");
  expect(body.results).toHaveLength(5);
  for (const product of body.results) expect(product.title).toContain("MacBook Pro");
  expect(body.sources).toHaveLength(3);

  const health = await fetch(`${service.url}/healthz`);
  expect(await health.json()).toMatchObject({ status: "ok" });
  const missing = await fetch(`${service.url}/v1/nothing`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get("content-type")).toBe("application/problem+json");
});
