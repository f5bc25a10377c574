import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { TokenService } from "../../src/core/security/tokens.ts";
import { FakeClock } from "../helpers/clock.ts";

const settings = { secret: "unit-secret-unit-secret-unit-secret!!", issuer: "gateway", audience: "gateway" };

describe("TokenService: verified tokens are remembered until exp", () => {
  test("a verified token is remembered; a token differing in one character is not, and fails", async () => {
    const tokens = new TokenService({ ...settings, ttlSeconds: 3600 });
    const { token } = await tokens.issue("user-1");
    expect(tokens.remembered(token)).toBeUndefined();
    const claims = await tokens.verify(token);
    expect(claims?.sub).toBe("user-1");
    expect(tokens.remembered(token)).toEqual(claims ?? undefined);
    const last = token.at(-2) === "A" ? "B" : "A";
    const altered = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(tokens.remembered(altered)).toBeUndefined();
    expect(await tokens.verify(altered)).toBeNull();
  });

  test("a remembered token is forgotten once its exp has passed", async () => {
    // exp is in whole seconds, so a 2 s lifetime leaves at least 1 s before it.
    const clock = new FakeClock();
    const tokens = new TokenService({ ...settings, ttlSeconds: 2 }, clock.now);
    const { token } = await tokens.issue("user-1");
    const claims = await tokens.verify(token);
    if (!claims) throw new Error("a fresh token must verify");
    expect(tokens.remembered(token)).toBeDefined();
    clock.advance(claims.exp * 1000 - clock.now() + 50);
    expect(tokens.remembered(token)).toBeUndefined();
    // Verifying it again refuses it once past the clock tolerance too, on the same clock.
    clock.advance(5_000);
    expect(await tokens.verify(token)).toBeNull();
  });
});

describe("TokenService: iat and lifetime", () => {
  const tokens = new TokenService({ ...settings, ttlSeconds: 900 });
  const sign = (iat: number, exp: number) =>
    new SignJWT({ sub: "user-1", iss: "gateway", aud: "gateway", jti: "j-1" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(settings.secret));

  test("an iat 10 minutes ahead is refused, one within the clock tolerance is not", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await tokens.verify(await sign(now + 600, now + 900))).toBeNull();
    expect(await tokens.verify(await sign(now + 3, now + 900))).not.toBeNull();
  });

  test("a lifetime above the TTL is refused, even for a token that is young", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await tokens.verify(await sign(now, now + 901))).toBeNull();
    expect(await tokens.verify(await sign(now, now + 900))).not.toBeNull();
  });

  test("a token without iat is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: "user-1", iss: "gateway", aud: "gateway", jti: "j-2" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(settings.secret));
    expect(await tokens.verify(token)).toBeNull();
  });
});
