import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { coerceSearchQuery } from "../../src/models/search.ts";
import { queryAsSent, uncoercedQuery } from "../../src/models/uncoerced-query.ts";

const schema = uncoercedQuery(
  Type.Object({
    q: Type.String({ minLength: 1, error: "must be a word", "x-field": "q" }),
    n: Type.Optional(Type.Integer({ minimum: 1 })),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 3, "x-field": "tags" }))),
  }),
);

describe("uncoercedQuery", () => {
  test("validate: the value when it matches, else one issue per field and text, named by x-field", () => {
    const face = schema["~standard"];
    expect(face.validate({ q: "a", n: 2 })).toEqual({ value: { q: "a", n: 2 } });
    expect(face.validate({ n: "2", tags: ["ok", "toolong"] })).toEqual({
      issues: [
        { message: "must be a word", path: ["q"] },
        { message: "Expected integer", path: ["n"] },
        { message: "Expected string length less or equal to 3", path: ["tags"] },
      ],
    });
  });

  test("Elysia checks it as it is: no string-to-number coercion, yet repeated keys still make a list", async () => {
    const app = new Elysia().get("/s", ({ query }) => query, { query: schema });
    const at = (qs: string) => app.handle(new Request(`http://localhost/s?${qs}`));
    expect((await at("q=a&n=5")).status).toBe(422);
    const listed = await at("q=a&tags=x&tags=y");
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ q: "a", tags: ["x", "y"] });
  });

  test("coerceSearchQuery: decimal limits become numbers, a single category a list, the rest is left", () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ limit: "20" }, { limit: 20 }],
      [{ limit: "1e2" }, { limit: "1e2" }],
      [{ limit: "2.5" }, { limit: "2.5" }],
      [{ limit: " 5" }, { limit: " 5" }],
      [{ categories: "phones" }, { categories: ["phones"] }],
      [{ categories: ["a", "b"] }, { categories: ["a", "b"] }],
    ];
    for (const [input, expected] of cases) {
      coerceSearchQuery(input);
      expect(input).toEqual(expected);
    }
  });

  test("queryAsSent: one value a string, repeated a list, commas split only for the listed keys", () => {
    const lists = new Set(["tags"]);
    const at = (qs: string) => queryAsSent(`http://localhost/s${qs}`, lists);
    expect(at("")).toEqual({});
    expect(at("?q=a,b&tags=x,y&tags=z")).toEqual({ q: "a,b", tags: ["x", "y", "z"] });
    expect(at("?q=a%2Cb&q=c&tags=x")).toEqual({ q: ["a,b", "c"], tags: ["x"] });
    expect(at("?q=%5B1%5D&n=+2+#frag,ment")).toEqual({ q: "[1]", n: " 2 " });
  });

  test("queryAsSent reads every query string as URLSearchParams does, odd escapes and names included", () => {
    const lists = new Set(["tags"]);
    // The reference: the same grouping over URLSearchParams' own pairs.
    const reference = (qs: string) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of new URLSearchParams(qs)) {
        const values = lists.has(key) ? value.split(",") : [value];
        const current = Object.hasOwn(out, key) ? out[key] : undefined;
        if (current === undefined)
          Object.defineProperty(out, key, {
            value: lists.has(key) ? values : value,
            enumerable: true,
            writable: true,
          });
        else if (Array.isArray(current)) current.push(...values);
        else out[key] = [current, ...values];
      }
      return out;
    };
    const cases = [
      "q=a+b&q=a%2Bb&q=a%20b",
      "a=b=c&&=x&k&&tags=,x,&tags",
      "q=%E2%82%AC&q=%EF%BB%BFbom",
      "q=%FF&q=%E2%82&q=%zz&q=%&q=100%25", // not UTF-8, truncated, not escapes: replacement characters
      "q=%ED%A0%80", // an escaped surrogate half is not UTF-8 either
      "q=caf\u00e9&q=\u{1f600}", // not serialized, as a client library might hand it over
      "__proto__=a&__proto__=b&constructor=c",
      "Q=upper&q=lower",
    ];
    for (const qs of cases) {
      const got = queryAsSent(`http://localhost/s?${qs}#f`, lists);
      expect({ qs, got: { ...got } }).toEqual({ qs, got: reference(qs) });
    }
    expect(queryAsSent("http://localhost/s?q=%FF", lists)).toEqual({ q: "\ufffd" });
    expect(Object.getPrototypeOf(queryAsSent("http://localhost/s?__proto__=a&__proto__=b", lists))).toBe(
      null,
    );
  });
});
