import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { call, DEMO, get, json } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { bearerPost, form, loginPair, type Pair, refresh } from "./helpers.ts";

const expectInvalidGrant = (result: Awaited<ReturnType<typeof refresh>>) => {
  expect(result.status).toBe(400);
  expect(result.headers.get("content-type")).toBe("application/json");
  expect(result.headers.get("cache-control")).toBe("no-store");
  expect(result.body.error).toBe("invalid_grant");
  expect(typeof result.body.error_description).toBe("string");
};

describe("refresh tokens (in-process)", () => {
  let stack: Stack;
  // Without a grace window, so that a second use is reuse at once.
  let strict: Stack;
  beforeAll(async () => {
    stack = await startStack();
    strict = await startStack({ flags: { refreshGrace: 0 } });
  });
  afterAll(async () => {
    await stack.close();
    await strict.close();
  });

  test("login also answers a 256-bit refresh token and its lifetime, never to be cached", async () => {
    const response = await call(stack.app, json("/login", DEMO.premium));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const pair = response.body as unknown as Pair;
    expect(Buffer.from(pair.refresh_token, "base64url").length).toBe(32);
    expect(pair.refresh_expires_in).toBe(30 * 24 * 3600);
    expect(pair.access_token).not.toContain(pair.refresh_token);
  });

  test("a refresh (form) answers a new pair; the new access token works; the old refresh token is then reuse", async () => {
    const first = await loginPair(strict.app, DEMO.premium);
    const result = await refresh(strict.app, first.refresh_token);
    expect(result.status).toBe(200);
    expect(result.headers.get("cache-control")).toBe("no-store");
    const second = result.body as unknown as Pair;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await call(strict.app, get("/profile", second.access_token))).status).toBe(200);

    // RFC 9700 §4.14.2: the old token again ends the whole family, the new tokens included.
    expectInvalidGrant(await refresh(strict.app, first.refresh_token));
    expectInvalidGrant(await refresh(strict.app, second.refresh_token));
    for (const token of [first.access_token, second.access_token]) {
      const profile = await call(strict.app, get("/profile", token));
      expect(profile.status).toBe(401);
      expect(profile.body.detail).toBe("The bearer token has been revoked.");
    }
  });

  test("a refresh as JSON works the same", async () => {
    const first = await loginPair(stack.app, DEMO.free);
    const result = await call(
      stack.app,
      json("/token", { grant_type: "refresh_token", refresh_token: first.refresh_token }),
    );
    expect(result.status).toBe(200);
    expect(typeof result.body.refresh_token).toBe("string");
  });

  test("within the grace window the old token gets the same pair once; a second retry ends the family", async () => {
    const first = await loginPair(stack.app, DEMO.premium);
    const rotated = await refresh(stack.app, first.refresh_token);
    expect(rotated.status).toBe(200);
    const retried = await refresh(stack.app, first.refresh_token);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(rotated.body);
    const second = rotated.body as unknown as Pair;
    expect((await call(stack.app, get("/profile", second.access_token))).status).toBe(200);

    expectInvalidGrant(await refresh(stack.app, first.refresh_token));
    expect((await call(stack.app, get("/profile", second.access_token))).status).toBe(401);
    expectInvalidGrant(await refresh(stack.app, second.refresh_token));
  });

  test("an unknown refresh token is invalid_grant", async () => {
    expectInvalidGrant(await refresh(stack.app, "x".repeat(43)));
  });

  test("the password grant (RFC 6749 §4.3) at /token: a session like POST /login's; a wrong password is invalid_grant", async () => {
    const ok = await call(
      stack.app,
      form("/token", { grant_type: "password", username: DEMO.free.email, password: DEMO.free.password }),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toContain("no-store");
    const pair = ok.body as unknown as Pair;
    expect(ok.body.token_type).toBe("bearer");
    expect((await call(stack.app, get("/profile", pair.access_token))).status).toBe(200);
    expect((await refresh(stack.app, pair.refresh_token)).status).toBe(200);
    const wrong = await call(
      stack.app,
      form("/token", { grant_type: "password", username: DEMO.free.email, password: "not-it" }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get("content-type")).toBe("application/json");
    expect(wrong.body.error).toBe("invalid_grant");
  });

  test("RFC 6749 §5.2 errors for a wrong grant type and for bad input, as application/json", async () => {
    const cases: [Request, string][] = [
      [form("/token", { grant_type: "client_credentials" }), "unsupported_grant_type"],
      [form("/token", { grant_type: "password", username: "a@example.com" }), "invalid_request"],
      [form("/token", { grant_type: "refresh_token" }), "invalid_request"],
      [form("/token", { refresh_token: "abc" }), "invalid_request"],
      [json("/token", { grant_type: 7, refresh_token: "abc" }), "invalid_request"],
      [json("/token", "{not json"), "invalid_request"],
      [form("/token", { grant_type: "refresh_token", refresh_token: "x".repeat(600) }), "invalid_request"],
    ];
    for (const [request, error] of cases) {
      const result = await call(stack.app, request);
      expect(result.status, error).toBe(400);
      expect(result.headers.get("content-type")).toBe("application/json");
      expect(result.body.error).toBe(error);
      expect(typeof result.body.error_description).toBe("string");
    }
  });

  test("the gateway's own errors on /token stay problem+json (wrong media type)", async () => {
    const result = await call(
      stack.app,
      new Request("http://localhost/token", {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: "x",
      }),
    );
    expect(result.status).toBe(415);
    expect(result.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("logout and revoke (in-process)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  test("POST /logout ends this session: its refresh token and access token stop working, another session does not", async () => {
    const mine = await loginPair(stack.app, DEMO.premium);
    const other = await loginPair(stack.app, DEMO.premium);
    const out = await call(stack.app, bearerPost("/logout", mine.access_token));
    expect(out.status).toBe(204);
    expect(out.text).toBe("");
    expectInvalidGrant(await refresh(stack.app, mine.refresh_token));
    const profile = await call(stack.app, get("/profile", mine.access_token));
    expect(profile.status).toBe(401);
    expect(profile.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect((await call(stack.app, get("/profile", other.access_token))).status).toBe(200);
    expect((await refresh(stack.app, other.refresh_token)).status).toBe(200);
    // Logged out is logged out: the same token cannot log out again.
    expect((await call(stack.app, bearerPost("/logout", mine.access_token))).status).toBe(401);
  });

  test("GET /search refuses a logged-out token it had remembered (the path that awaits nothing)", async () => {
    const pair = await loginPair(stack.app, DEMO.premium);
    // Verified once, then taken from memory (AuthService.known) on the next search.
    for (let i = 0; i < 2; i++)
      expect((await call(stack.app, get("/search?query=revoked%20phone", pair.access_token))).status).toBe(
        200,
      );
    expect((await call(stack.app, bearerPost("/logout", pair.access_token))).status).toBe(204);
    const search = await call(stack.app, get("/search?query=revoked%20phone", pair.access_token));
    expect(search.status).toBe(401);
    expect(search.body.detail).toBe("The bearer token has been revoked.");
    expect(search.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("POST /logout?all=true ends every session of the user, and a new login afterwards works", async () => {
    const a = await loginPair(stack.app, DEMO.free);
    const b = await loginPair(stack.app, DEMO.free);
    const bRefreshed = (await refresh(stack.app, b.refresh_token)).body as unknown as Pair;
    const premium = await loginPair(stack.app, DEMO.premium);
    expect((await call(stack.app, bearerPost("/logout?all=true", a.access_token))).status).toBe(204);
    for (const token of [a.access_token, b.access_token, bRefreshed.access_token])
      expect((await call(stack.app, get("/profile", token))).status).toBe(401);
    expectInvalidGrant(await refresh(stack.app, a.refresh_token));
    expectInvalidGrant(await refresh(stack.app, bRefreshed.refresh_token));
    // Another user is untouched; the same user can log in again.
    expect((await call(stack.app, get("/profile", premium.access_token))).status).toBe(200);
    const again = await loginPair(stack.app, DEMO.free);
    expect((await call(stack.app, get("/profile", again.access_token))).status).toBe(200);
  });

  test("/logout without a valid token is a 401 before its query is looked at; a bad query a 422 problem", async () => {
    const none = await call(stack.app, new Request("http://localhost/logout?all=maybe", { method: "POST" }));
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toBe("application/problem+json");
    const pair = await loginPair(stack.app, DEMO.expired);
    const bad = await call(stack.app, bearerPost("/logout?all=maybe", pair.access_token));
    expect(bad.status).toBe(422);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(bad.body.type).toBe("/problems/invalid-input");
    // The bad request logged nobody out.
    expect((await call(stack.app, get("/profile", pair.access_token))).status).toBe(200);
  });

  test("RFC 7009: revoking a refresh token ends its session and refuses its access tokens", async () => {
    const pair = await loginPair(stack.app, DEMO.premium);
    const result = await call(
      stack.app,
      form("/revoke", { token: pair.refresh_token, token_type_hint: "refresh_token" }),
    );
    expect(result.status).toBe(200);
    expect(result.text).toBe("");
    expectInvalidGrant(await refresh(stack.app, pair.refresh_token));
    expect((await call(stack.app, get("/profile", pair.access_token))).status).toBe(401);
  });

  test("RFC 7009: revoking an access token (JSON, a wrong hint) refuses it and ends its session", async () => {
    const pair = await loginPair(stack.app, DEMO.premium);
    const result = await call(
      stack.app,
      json("/revoke", { token: pair.access_token, token_type_hint: "refresh_token" }),
    );
    expect(result.status).toBe(200);
    expect((await call(stack.app, get("/profile", pair.access_token))).status).toBe(401);
    expectInvalidGrant(await refresh(stack.app, pair.refresh_token));
  });

  test("RFC 7009 §2.2: an unknown or invalid token is a 200 as well; a missing one is invalid_request", async () => {
    for (const token of ["nothing-like-a-token", "a.b.c", "x".repeat(43)])
      expect((await call(stack.app, form("/revoke", { token }))).status).toBe(200);
    const missing = await call(stack.app, form("/revoke", { token_type_hint: "access_token" }));
    expect(missing.status).toBe(400);
    expect(missing.headers.get("content-type")).toBe("application/json");
    expect(missing.body.error).toBe("invalid_request");
  });
});
