import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { call, DEMO, get, json, ORIGIN } from "./helpers/http.ts";
import { type Stack, startStack, TEST_SECRET } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const PREMIUM_ID = "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70";

function forge(
  claims: Record<string, unknown>,
  options: { alg?: string; secret?: string; exp?: number | null; iat?: number } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ sub: PREMIUM_ID, iss: "gateway", aud: "gateway", jti: "t-1", ...claims })
    .setProtectedHeader({ alg: options.alg ?? "HS256", typ: "JWT" })
    .setIssuedAt(options.iat ?? now);
  if (options.exp !== null) jwt = jwt.setExpirationTime(options.exp ?? now + 600);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

describe("POST /login", () => {
  test("JSON credentials give a bearer token with the configured lifetime", async () => {
    const { status, body } = await call(stack.app, json("/login", DEMO.premium));
    expect(status).toBe(200);
    expect(body.token_type).toBe("bearer");
    expect(body.expires_in).toBe(900);
    const [, payload] = String(body.access_token).split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    expect(claims).toMatchObject({ sub: PREMIUM_ID, iss: "gateway", aud: "gateway" });
    expect(claims.exp - claims.iat).toBe(900);
    expect(typeof claims.jti).toBe("string");
    const header = JSON.parse(
      Buffer.from(String(body.access_token).split(".")[0] ?? "", "base64url").toString(),
    );
    expect(header.alg).toBe("HS256");
  });

  test("the OAuth2 password form (Swagger's Authorize) works too", async () => {
    const form = new URLSearchParams({
      grant_type: "password",
      username: DEMO.free.email,
      password: DEMO.free.password,
    });
    const request = new Request(`${ORIGIN}/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    const { status, body } = await call(stack.app, request);
    expect(status).toBe(200);
    expect(body.token_type).toBe("bearer");
  });

  test("unknown email and wrong password get the same 401 body", async () => {
    const wrong = await call(stack.app, json("/login", { email: DEMO.premium.email, password: "nope" }));
    const unknown = await call(stack.app, json("/login", { email: "nobody@example.com", password: "nope" }));
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    expect(wrong.body.type).toBe("/problems/invalid-credentials");
  });

  test("a body without a password is 422 naming the field", async () => {
    const { status, body } = await call(stack.app, json("/login", { email: "a@b.c" }));
    expect(status).toBe(422);
    expect(body.type).toBe("/problems/invalid-input");
    expect(JSON.stringify(body.errors)).toContain("password");
  });

  test("malformed JSON is 400, a text body 415", async () => {
    expect((await call(stack.app, json("/login", "{oops"))).status).toBe(400);
    const text = new Request(`${ORIGIN}/login`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "x",
    });
    const { status, body } = await call(stack.app, text);
    expect(status).toBe(415);
    expect(body.detail).toContain("text/plain");
  });
});

describe("POST /login as a form is the OAuth2 password grant: RFC 6749 §5.2 errors", () => {
  const formLogin = (fields: Record<string, string>) =>
    call(
      stack.app,
      new Request(`${ORIGIN}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=UTF-8" },
        body: new URLSearchParams(fields).toString(),
      }),
    );
  const oauthError = (result: Awaited<ReturnType<typeof formLogin>>, error: string) => {
    expect({ status: result.status, error: result.body.error }).toEqual({ status: 400, error });
    expect(result.headers.get("content-type")).toStartWith("application/json");
    expect(result.headers.get("cache-control")).toBe("no-store");
    expect(typeof result.body.error_description).toBe("string");
  };

  test("a wrong password is invalid_grant, for an unknown email the same", async () => {
    const grant = { grant_type: "password" };
    oauthError(
      await formLogin({ ...grant, username: DEMO.premium.email, password: "nope" }),
      "invalid_grant",
    );
    oauthError(await formLogin({ username: "nobody@example.com", password: "nope" }), "invalid_grant");
  });

  test("another grant_type is unsupported_grant_type; bad input invalid_request", async () => {
    const credentials = { username: DEMO.free.email, password: DEMO.free.password };
    oauthError(
      await formLogin({ grant_type: "client_credentials", ...credentials }),
      "unsupported_grant_type",
    );
    oauthError(await formLogin({ grant_type: "password", username: DEMO.free.email }), "invalid_request");
    oauthError(await formLogin({ password: "x" }), "invalid_request");
  });

  test("without grant_type the form still logs in", async () => {
    const { status, body } = await formLogin({ username: DEMO.free.email, password: DEMO.free.password });
    expect(status).toBe(200);
    expect(body.token_type).toBe("bearer");
  });

  test("a JSON login keeps problem+json: 401 invalid-credentials, 422 for another grant_type", async () => {
    const wrong = await call(stack.app, json("/login", { email: DEMO.premium.email, password: "nope" }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    expect(wrong.body.type).toBe("/problems/invalid-credentials");
    const grant = await call(stack.app, json("/login", { ...DEMO.free, grant_type: "client_credentials" }));
    expect(grant.status).toBe(422);
    expect(grant.headers.get("content-type")).toBe("application/problem+json");
    expect(grant.body.errors).toEqual([{ field: "grant_type", message: 'must be "password"' }]);
  });
});

describe("bearer tokens", () => {
  const rejected = async (authorization: string | undefined) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const result = await call(stack.app, get("/profile", undefined, headers));
    expect(result.status).toBe(401);
    expect(result.headers.get("www-authenticate")).toStartWith("Bearer");
    expect(result.headers.get("content-type")).toBe("application/problem+json");
    return result;
  };

  test("a token we issued is accepted", async () => {
    const token = await tokenFor(stack, DEMO.premium);
    expect((await call(stack.app, get("/profile", token))).status).toBe(200);
  });

  test("missing, malformed and non-Bearer headers are 401", async () => {
    const missing = await rejected(undefined);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="gateway"');
    await rejected("Bearer");
    await rejected("Bearer not-a-jwt");
    await rejected(`Basic ${btoa("a:b")}`);
  });

  test("RFC 6750 §3.1: a bearer token that is not a JWT is invalid_token; a header not Bearer invalid_request", async () => {
    for (const token of ["abc", "not-a-jwt", "a.b", "YWJj=="]) {
      const { headers } = await rejected(`Bearer ${token}`);
      expect({ token, challenge: headers.get("www-authenticate") }).toEqual({
        token,
        challenge: 'Bearer realm="gateway", error="invalid_token"',
      });
    }
    for (const header of ["Bearer", "Bearer a b", "Bearer a,b", `Basic ${btoa("a:b")}`, "abc"]) {
      const { headers } = await rejected(header);
      expect({ header, challenge: headers.get("www-authenticate") }).toEqual({
        header,
        challenge: 'Bearer realm="gateway", error="invalid_request"',
      });
    }
  });

  test("forged tokens are 401: other secret, HS512, no exp, expired, other audience or issuer, no sub", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejected(`Bearer ${await forge({}, { secret: "another-secret-that-is-also-32-bytes-long" })}`);
    await rejected(`Bearer ${await forge({}, { alg: "HS512" })}`);
    await rejected(`Bearer ${await forge({}, { exp: null })}`);
    await rejected(`Bearer ${await forge({}, { exp: now - 60 })}`);
    await rejected(`Bearer ${await forge({ aud: "someone-else" })}`);
    await rejected(`Bearer ${await forge({ iss: "evil" })}`);
    await rejected(`Bearer ${await forge({ sub: undefined })}`);
    // The control: the same forge with the right settings passes, so the cases above fail for their reason.
    expect((await call(stack.app, get("/profile", await forge({})))).status).toBe(200);
  });

  test("a token of the real secret issued in the future (beyond the 5 s clock tolerance) is 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    // A lifetime of 600 s, within the 900 s TTL: only iat is wrong.
    await rejected(`Bearer ${await forge({}, { iat: now + 600, exp: now + 1200 })}`);
    await rejected(`Bearer ${await forge({}, { iat: now + 60, exp: now + 660 })}`);
    // The control: a clock a second or two ahead is tolerated.
    expect((await call(stack.app, get("/profile", await forge({}, { iat: now + 2 })))).status).toBe(200);
  });

  test("a token of the real secret living longer than the configured TTL (exp - iat > 900 s) is 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    await rejected(`Bearer ${await forge({}, { iat: now, exp: now + 901 })}`);
    await rejected(`Bearer ${await forge({}, { iat: now - 60, exp: now + 30 * 86_400 })}`);
    // The control: exactly the TTL, as issue() signs them, passes.
    expect(
      (await call(stack.app, get("/profile", await forge({}, { iat: now, exp: now + 900 })))).status,
    ).toBe(200);
  });

  test('alg "none" is refused', async () => {
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const payload = Buffer.from(
      JSON.stringify({ sub: PREMIUM_ID, iss: "gateway", aud: "gateway", exp: Date.now() / 1000 + 600 }),
    ).toString("base64url");
    await rejected(`Bearer ${header}.${payload}.`);
    await rejected(`Bearer ${header}.${payload}.x`);
  });

  test("a valid token for a user the Users service no longer knows is 401", async () => {
    await rejected(`Bearer ${await forge({ sub: "00000000-0000-4000-8000-000000000000" })}`);
  });
});

describe("GET /profile", () => {
  test("premium user: premium plan and premium limits", async () => {
    const { status, body } = await call(stack.app, get("/profile", await tokenFor(stack, DEMO.premium)));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: PREMIUM_ID,
      email: DEMO.premium.email,
      plan: "premium",
      subscription: { plan: "premium", active: true },
      limits: { maxResults: 100, maxCategories: 10, maxPages: 50 },
    });
  });

  test("an expired premium user is effectively free", async () => {
    const { body } = await call(stack.app, get("/profile", await tokenFor(stack, DEMO.expired)));
    expect(body.plan).toBe("free");
    expect(body.subscription).toMatchObject({ plan: "premium", active: false });
    expect(Date.parse((body.subscription as { expires_at: string }).expires_at)).toBeLessThan(Date.now());
    expect(body.limits).toMatchObject({
      maxResults: 20,
      maxCategories: 2,
      requestsPerMinute: 30,
      searchesPerDay: 200,
    });
  });

  test("free user", async () => {
    const { body } = await call(stack.app, get("/profile", await tokenFor(stack, DEMO.free)));
    expect(body).toMatchObject({
      plan: "free",
      subscription: { plan: "free", expires_at: null, active: true },
    });
  });
});
