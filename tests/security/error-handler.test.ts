import { describe, expect, test } from "bun:test";
import { Elysia } from "elysia";
import { problems } from "../../src/api/plugins/problems.ts";
import { createLogger } from "../../src/core/logger.ts";

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
