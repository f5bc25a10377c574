import { describe, expect, test } from "bun:test";
import { TokenService } from "../../src/core/security/tokens.ts";

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
    const tokens = new TokenService({ ...settings, ttlSeconds: 2 });
    const { token } = await tokens.issue("user-1");
    const claims = await tokens.verify(token);
    if (!claims) throw new Error("a fresh token must verify");
    expect(tokens.remembered(token)).toBeDefined();
    await Bun.sleep(claims.exp * 1000 - Date.now() + 50);
    expect(tokens.remembered(token)).toBeUndefined();
  });
});
