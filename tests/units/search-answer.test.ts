import { describe, expect, test } from "bun:test";
import { SearchAnswer } from "../../src/services/search-answer.ts";

const shared = {
  limit: 2,
  results: [
    {
      id: "a",
      title: 'He said "hi" \u2028',
      price: 1,
      currency: "EUR",
      url: "https://x.example/a",
      source: "s",
    },
  ],
  sources: [{ name: "s", ok: true, took_ms: 3 }],
  page: 1,
  next_cursor: null,
};

describe("SearchAnswer", () => {
  test("splices the caller's fields into the shared text: valid JSON, every field once", () => {
    const fields = {
      request_id: "r-1",
      query: 'iphone "15" \\ é',
      categories: ["phones", "a-b"],
      cached: true,
    };
    const answer = new SearchAnswer(JSON.stringify(shared), fields);
    expect(JSON.parse(answer.json)).toEqual({ ...fields, ...shared });
    expect(answer.value).toEqual({ ...fields, ...shared });
    expect(JSON.parse(JSON.stringify(answer))).toEqual({ ...fields, ...shared });
  });

  test("a shared part with only its required fields still makes a whole answer", () => {
    const fields = { request_id: "r-2", query: "q", categories: [], cached: false };
    const answer = new SearchAnswer('{"limit":20,"results":[],"page":1,"next_cursor":null}', fields);
    expect(answer.value).toEqual({ ...fields, limit: 20, results: [], page: 1, next_cursor: null });
  });
});
