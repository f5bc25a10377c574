import { afterEach, describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { Problem } from "../../src/models/problem.ts";
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problemErrors } from "../../src/reference/problem.ts";
import { requestIdEcho } from "../../src/reference/request-id.ts";
import { listen, type RunningService } from "../../src/reference/service.ts";
import { get, postJson, validator } from "./helpers.ts";

const problemErrorsOf = validator(Problem);

function app() {
  return new Elysia()
    .use(requestIdEcho)
    .use(problemErrors)
    .get("/boom", (): string => {
      throw new Error("secret detail at /srv/app.ts:12");
    })
    .post("/echo", ({ body }) => body, {
      body: t.Object({ name: t.String({ minLength: 1 }), n: t.Integer() }),
    });
}

async function problemOf(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toBe(PROBLEM_CONTENT_TYPE);
  const body = (await response.json()) as Problem;
  expect(problemErrorsOf(body)).toEqual([]);
  expect(body.status).toBe(status);
  expect(body.type.startsWith(PROBLEM_TYPE_BASE)).toBe(true);
  return body;
}

describe("problem+json errors", () => {
  test("unknown route is a 404 problem", async () => {
    await problemOf(await app().handle(get("/nope")), 404);
  });

  test("malformed JSON is a 400 problem", async () => {
    const body = await problemOf(await app().handle(postJson("/echo", "{not json")), 400);
    expect(body.type).toBe(`${PROBLEM_TYPE_BASE}malformed-body`);
  });

  test("schema-invalid body is a 422 problem naming each field once", async () => {
    const body = await problemOf(await app().handle(postJson("/echo", { name: "" })), 422);
    expect(body.errors?.map((e) => e.field).sort()).toEqual(["n", "name"]);
  });

  test("a thrown error is a 500 problem without its message", async () => {
    const response = await app().handle(get("/boom"));
    const text = await response.clone().text();
    await problemOf(response, 500);
    expect(text).not.toContain("secret");
    expect(text).not.toContain("app.ts");
  });

  test("X-Request-Id is echoed on success and on errors, and put into problems", async () => {
    const ok = await app().handle(postJson("/echo", { name: "a", n: 1 }, { "x-request-id": "req-42" }));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("req-42");
    const missing = await app().handle(get("/nope", { "x-request-id": "req-43" }));
    expect(missing.headers.get("x-request-id")).toBe("req-43");
    expect((await problemOf(missing, 404)).request_id).toBe("req-43");
  });

  test("an unsafe request id is not reflected", async () => {
    const response = await app().handle(get("/nope", { "x-request-id": "x".repeat(500) }));
    expect(response.headers.get("x-request-id")).toBeNull();
  });
});

describe("listen", () => {
  let service: RunningService | undefined;
  afterEach(async () => {
    await service?.stop();
    service = undefined;
  });

  test("binds a real port on loopback and stops listening on stop()", async () => {
    service = await listen(app());
    expect(service.port).toBeGreaterThan(0);
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    const response = await fetch(`${service.url}/nope`);
    expect(response.status).toBe(404);
    await service.stop();
    await service.stop(); // idempotent
    await expect(fetch(`${service.url}/nope`)).rejects.toThrow();
  });
});
