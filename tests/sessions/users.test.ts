import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { User } from "../../src/models/user.ts";
import { openUsersDb } from "../../src/reference/users/db.ts";
import { type Behaviour, type FakeBackend, startFakeBackend } from "../helpers/fake-backend.ts";
import { call, get, json } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { loginPair, refresh } from "./helpers.ts";

const ID = "3b8e3c1e-0f5a-4d6b-9a77-2c1d5e6f7a80";
const WHO = { email: "changing@example.com", password: "whatever-pass" };

/** A Users service whose one user the test rewrites (or deletes) between calls. */
function fakeUsers(): { backend: FakeBackend; user: { current: User | null }; answer: Behaviour } {
  const user: { current: User | null } = {
    current: { id: ID, email: WHO.email, subscription: "free", expires_at: null },
  };
  const answer: Behaviour = (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/healthz") return Response.json({ status: "ok" });
    if (user.current === null) return Response.json({ title: "gone" }, { status: 404 });
    return Response.json(path === "/v1/credentials/verify" ? { user: user.current } : user.current);
  };
  return { backend: startFakeBackend(answer), user, answer };
}

describe("every refresh asks the Users service again", () => {
  let fake: ReturnType<typeof fakeUsers>;
  let stack: Stack;
  beforeAll(async () => {
    fake = fakeUsers();
    // A long user cache: only the refresh itself can make the change show this soon.
    stack = await startStack({ flags: { usersUrl: fake.backend.url, userCacheTtl: 3600 } });
  });
  afterAll(async () => {
    await stack.close();
    await fake.backend.stop();
  });
  const reset = () => {
    fake.user.current = { id: ID, email: WHO.email, subscription: "free", expires_at: null };
  };

  test("a subscription change shows at the next refresh, even with the user cached for an hour", async () => {
    reset();
    const first = await loginPair(stack.app, WHO);
    expect((await call(stack.app, get("/profile", first.access_token))).body.plan).toBe("free");
    fake.user.current = { id: ID, email: WHO.email, subscription: "premium", expires_at: null };
    const calls = fake.backend.calls.length;
    const refreshed = await refresh(stack.app, first.refresh_token);
    expect(refreshed.status).toBe(200);
    expect(fake.backend.calls.slice(calls).map((c) => new URL(c.url).pathname)).toEqual([`/v1/users/${ID}`]);
    const token = refreshed.body.access_token as string;
    expect((await call(stack.app, get("/profile", token))).body.plan).toBe("premium");
  });

  test("a disabled account cannot refresh, and its session stays ended once enabled again", async () => {
    reset();
    const pair = await loginPair(stack.app, WHO);
    fake.user.current = { id: ID, email: WHO.email, subscription: "free", expires_at: null, disabled: true };
    const refused = await refresh(stack.app, pair.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
    reset();
    expect((await refresh(stack.app, pair.refresh_token)).body.error).toBe("invalid_grant");
    expect((await call(stack.app, get("/profile", pair.access_token))).status).toBe(401);
  });

  test("a disabled account cannot log in (403) and its access tokens are refused (401)", async () => {
    reset();
    const pair = await loginPair(stack.app, WHO);
    fake.user.current = { id: ID, email: WHO.email, subscription: "free", expires_at: null, disabled: true };
    const login = await call(stack.app, json("/login", WHO));
    expect(login.status).toBe(403);
    expect(login.body.type).toBe("/problems/account-disabled");
    // The refresh attempt that learned of it also refreshed the cached record the request path uses.
    expect((await refresh(stack.app, pair.refresh_token)).status).toBe(400);
    const profile = await call(stack.app, get("/profile", pair.access_token));
    expect(profile.status).toBe(401);
  });

  test("a deleted user cannot refresh", async () => {
    reset();
    const pair = await loginPair(stack.app, WHO);
    fake.user.current = null;
    const refused = await refresh(stack.app, pair.refresh_token);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe("invalid_grant");
  });

  test("the Users service failing during a refresh is a problem (503), and the refresh token still works after", async () => {
    reset();
    const pair = await loginPair(stack.app, WHO);
    fake.backend.behave(() => Response.json({ error: "down" }, { status: 503 }));
    try {
      const failed = await refresh(stack.app, pair.refresh_token);
      expect(failed.status).toBe(503);
      expect(failed.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      fake.backend.behave(fake.answer);
    }
    expect((await refresh(stack.app, pair.refresh_token)).status).toBe(200);
  });
});

describe("reference Users service: disabled accounts", () => {
  test("a disabled user says so; an enabled one has no `disabled` member, as before", () => {
    const db = openUsersDb(":memory:");
    db.insertIfAbsent({
      id: ID,
      email: WHO.email,
      subscription: "free",
      expires_at: null,
      passwordHash: "x",
    });
    expect(db.findById(ID)?.user).toEqual({
      id: ID,
      email: WHO.email,
      subscription: "free",
      expires_at: null,
    });
    expect(db.setDisabled(ID, true)).toBe(true);
    expect(db.findById(ID)?.user.disabled).toBe(true);
    expect(db.setDisabled(ID, false)).toBe(true);
    expect(db.findById(ID)?.user).not.toHaveProperty("disabled");
    db.close();
  });
});
