import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { problems } from "../../src/api/plugins/problems.ts";
import { InvalidInput } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/logger.ts";
import {
  FIELD_ERROR_MAX_LENGTH,
  PROBLEM_DETAIL_MAX_LENGTH,
  PROBLEM_ERRORS_MAX_ITEMS,
} from "../../src/models/problem.ts";

describe("the error handler", () => {
  test("answers problem+json even when mapping the error throws", async () => {
    const logs: string[] = [];
    // `instanceof` on this value throws, so the mapping itself fails.
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error("no");
        },
      },
    );
    const app = new Elysia()
      .use(problems(createLogger("debug", (line) => logs.push(line))))
      .get("/boom", () => {
        throw hostile;
      });
    const response = await app.handle(new Request("http://localhost/boom"));
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { type: string; status: number };
    expect(problem).toMatchObject({ type: "/problems/internal", status: 500 });
    expect(logs.some((line) => line.includes("error handler failed"))).toBe(true);
  });
});

describe("problem details stay within the bounds the OpenAPI document declares", () => {
  test("a detail that quotes a long path, and a long list of field errors, are cut to the schema's bounds", async () => {
    const app = new Elysia().use(problems(createLogger("error", () => {}))).get("/many", () => {
      throw new InvalidInput(
        "The request is not valid.",
        Array.from({ length: 300 }, (_, i) => ({
          field: `f${i}`.padEnd(900, "x"),
          message: "m".repeat(900),
        })),
      );
    });
    const long = await app.handle(new Request(`http://localhost/${"a".repeat(5000)}`));
    expect(long.status).toBe(404);
    const notFound = (await long.json()) as { detail: string };
    expect(notFound.detail.length).toBeLessThanOrEqual(PROBLEM_DETAIL_MAX_LENGTH);
    expect(notFound.detail).toStartWith("There is no GET /aaa");

    const many = (await (await app.handle(new Request("http://localhost/many"))).json()) as {
      errors: { field: string; message: string }[];
    };
    expect(many.errors.length).toBe(PROBLEM_ERRORS_MAX_ITEMS);
    for (const error of many.errors) {
      expect(error.field.length).toBeLessThanOrEqual(FIELD_ERROR_MAX_LENGTH);
      expect(error.message.length).toBeLessThanOrEqual(FIELD_ERROR_MAX_LENGTH);
    }
    expect(many.errors[0]?.field).toStartWith("f0x");
  });
});
