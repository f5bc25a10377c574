import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { Problem } from "../../src/models/problem.ts";
import { User, VerifyCredentialsResponse } from "../../src/models/user.ts";
import { createUsersApp, DEMO_USERS, openUsersDb, seedDemoUsers } from "../../src/reference/users/index.ts";
import { bodyAs, get, postJson, validator } from "./helpers.ts";

const db = openUsersDb(":memory:");
const app = createUsersApp(db);
const problemErrors = validator(Problem);

beforeAll(() => seedDemoUsers(db));
afterAll(() => db.close());

const verify = (body: unknown, headers: Record<string, string> = {}) =>
  app.handle(postJson("/v1/credentials/verify", body, headers));

describe("POST /v1/credentials/verify", () => {
  test.each(DEMO_USERS.map((demo) => [demo.email, demo]))(
    "%s logs in with the seeded password",
    async (_, demo) => {
      const response = await verify({ email: demo.email, password: demo.password });
      expect(response.status).toBe(200);
      const body = await bodyAs(VerifyCredentialsResponse, response);
      expect(body.user).toEqual({
        id: demo.id,
        email: demo.email,
        subscription: demo.subscription,
        expires_at: body.user.expires_at,
      });
      expect(JSON.stringify(body)).not.toContain("password");
      expect(JSON.stringify(body)).not.toContain("argon2");
    },
  );

  test("expired@example.com is premium with an expiry in the past; premium's is about a year ahead", async () => {
    const login = async (email: string, password: string) =>
      (await bodyAs(VerifyCredentialsResponse, await verify({ email, password }))).user;
    const expired = await login("expired@example.com", "expired-pass");
    expect(expired.subscription).toBe("premium");
    expect(Date.parse(expired.expires_at ?? "")).toBeLessThan(Date.now());
    const premium = await login("premium@example.com", "premium-pass");
    const daysAhead = (Date.parse(premium.expires_at ?? "") - Date.now()) / 86_400_000;
    expect(daysAhead).toBeGreaterThan(364);
    expect(daysAhead).toBeLessThanOrEqual(365);
  });

  test("email matching ignores case", async () => {
    const response = await verify({ email: "Free@Example.COM", password: "free-pass" });
    expect(response.status).toBe(200);
  });

  test("wrong password and unknown email give identical 401 problems", async () => {
    const headers = { "x-request-id": "same-id" };
    const wrong = await verify({ email: "premium@example.com", password: "nope" }, headers);
    const unknown = await verify({ email: "nobody@example.com", password: "nope" }, headers);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    const [wrongBody, unknownBody] = [await wrong.text(), await unknown.text()];
    expect(wrongBody).toBe(unknownBody);
    expect(problemErrors(JSON.parse(wrongBody))).toEqual([]);
  });

  test("an unknown email still costs one argon2 verification, so timing does not reveal it", async () => {
    const spy = spyOn(Bun.password, "verify");
    try {
      await verify({ email: "ghost@example.com", password: "whatever" });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(String(spy.mock.calls[0]?.[1])).toStartWith("$argon2id$");
    } finally {
      spy.mockRestore();
    }
  });

  test("malformed JSON is a 400 problem", async () => {
    const response = await verify('{"email": "premium@example.com",');
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a schema-invalid body is a 422 problem that does not echo the password", async () => {
    const response = await verify({ email: "", password: "hunter2-secret" });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).not.toContain("hunter2-secret");
    const body = JSON.parse(text);
    expect(problemErrors(body)).toEqual([]);
    expect(body.errors).toContainEqual({ field: "email", message: expect.any(String) });
  });
});

describe("GET /v1/users/:id", () => {
  test("returns the stored user, validated against the User model", async () => {
    const demo = DEMO_USERS[1];
    const response = await app.handle(get(`/v1/users/${demo.id}`, { "x-request-id": "abc-1" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("abc-1");
    const body = await bodyAs(User, response);
    expect(body).toEqual({ id: demo.id, email: demo.email, subscription: "free", expires_at: null });
  });

  test.each([
    ["unknown uuid", crypto.randomUUID()],
    ["non-uuid", "not-a-uuid"],
    ["sql-ish", "1%20OR%201=1"],
  ])("%s is a 404 problem", async (_, id) => {
    const response = await app.handle(get(`/v1/users/${id}`));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(problemErrors(await response.json())).toEqual([]);
  });
});

describe("other routes", () => {
  test("GET /healthz", async () => {
    const response = await app.handle(get("/healthz"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  test("unknown route is a 404 problem", async () => {
    const response = await app.handle(get("/v1/nothing"));
    expect(response.status).toBe(404);
    expect((await bodyAs(Problem, response)).type).toContain("not-found");
  });
});
