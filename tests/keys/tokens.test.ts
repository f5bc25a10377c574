import { describe, expect, test } from "bun:test";
import { createPublicKey } from "node:crypto";
import { decodeProtectedHeader, importJWK, SignJWT } from "jose";
import { KeyRingHolder } from "../../src/core/security/key-ring-holder.ts";
import { TokenService } from "../../src/core/security/tokens.ts";
import { KEY_RING_MAX_KEYS } from "../../src/models/well-known.ts";
import { type Jwk, jwkOf, ringOf, withState } from "../helpers/keys.ts";

const claims = { issuer: "gateway", audience: "gateway", ttlSeconds: 900 };

function serviceOf(...jwks: Jwk[]) {
  const keys = new KeyRingHolder(ringOf(...jwks));
  return { keys, tokens: new TokenService({ ...claims, keys }) };
}

/** A token as ours would be, but signed by whoever holds `key`, with any header. */
async function forged(
  header: Record<string, unknown>,
  key: Uint8Array | CryptoKey | Parameters<SignJWT["sign"]>[0],
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: "user-1", jti: "forged-1" })
    .setProtectedHeader({ alg: "HS256", ...header } as { alg: string })
    .setIssuer("gateway")
    .setAudience("gateway")
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key);
}

const privateKeyOf = (jwk: Jwk) => importJWK({ ...jwk }, jwk.alg);

describe("key ring: signing and rotation", () => {
  test("EdDSA by default, ES256 too: the active key signs, its kid and alg are in the header", async () => {
    for (const alg of ["EdDSA", "ES256"] as const) {
      const key = jwkOf(alg, "active");
      const { tokens } = serviceOf(key);
      const { token, jti, exp } = await tokens.issue("user-1", { sid: "family-1" });
      expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: key.kid });
      const verified = await tokens.verify(token);
      expect(verified).toMatchObject({ sub: "user-1", jti, exp, sid: "family-1" });
    }
  });

  test("rotation: verify-only old key and new active key both verify; once retired, old tokens are refused", async () => {
    const old = jwkOf("EdDSA", "active");
    const next = jwkOf("EdDSA", "verify-only");
    const { keys, tokens } = serviceOf(old, next);
    const before = (await tokens.issue("user-1")).token;
    expect(await tokens.verify(before)).not.toBeNull();

    // Step 2: the new key signs, the old one only verifies.
    keys.replace(ringOf(withState(old, "verify-only"), withState(next, "active")));
    const after = (await tokens.issue("user-1")).token;
    expect(decodeProtectedHeader(after).kid).toBe(next.kid);
    expect(await tokens.verify(before)).not.toBeNull();
    expect(await tokens.verify(after)).not.toBeNull();

    // Step 3: the old key is retired. Its token was remembered as verified: that must not outlive the key.
    keys.replace(ringOf(withState(old, "retired"), withState(next, "active")));
    expect(tokens.remembered(before)).toBeUndefined();
    expect(await tokens.verify(before)).toBeNull();
    expect(await tokens.verify(after)).not.toBeNull();
  });
});

describe("key ring: a token cannot choose its key or algorithm", () => {
  const active = jwkOf("EdDSA", "active");
  const retired = jwkOf("EdDSA", "retired");
  const { tokens } = serviceOf(active, retired);
  // What an attacker has: the key exactly as /.well-known/jwks.json publishes it.
  const publicJwk = ringOf(active).jwks[0] as NonNullable<ReturnType<typeof ringOf>["jwks"][0]>;
  const publicPem = createPublicKey({ key: { ...publicJwk }, format: "jwk" })
    .export({ format: "pem", type: "spki" })
    .toString();
  const bytes = (text: string) => new TextEncoder().encode(text);

  test("HS256 signed with the public key's bytes (PEM, JWK JSON, raw x), with the real kid, is refused", async () => {
    const hmacKeys = [
      bytes(publicPem),
      bytes(JSON.stringify(publicJwk)),
      bytes(JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x })),
      Buffer.from(publicJwk.x, "base64url"),
    ];
    for (const key of hmacKeys) {
      expect(await tokens.verify(await forged({ alg: "HS256", kid: active.kid }, key))).toBeNull();
    }
  });

  test('alg "none" with the real kid is refused', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const payload = { sub: "user-1", jti: "n-1", iss: "gateway", aud: "gateway", iat: now, exp: now + 600 };
    for (const alg of ["none", "None", "NONE"]) {
      expect(await tokens.verify(`${b64({ alg, kid: active.kid })}.${b64(payload)}.`)).toBeNull();
    }
  });

  test("the right key under another algorithm of the ring's family is refused (ES256 header on an EdDSA kid)", async () => {
    const es = jwkOf("ES256", "active");
    const mixed = serviceOf(withState(active, "active"), withState(es, "verify-only")).tokens;
    const token = await forged({ alg: "ES256", kid: active.kid }, await privateKeyOf(es));
    expect(await mixed.verify(token)).toBeNull();
    expect(
      await mixed.verify(await forged({ alg: "ES256", kid: es.kid }, await privateKeyOf(es))),
    ).not.toBeNull();
  });

  test("a forged kid is refused: unknown, retired (even signed by that key), or none at all", async () => {
    const stranger = jwkOf("EdDSA", "active");
    expect(
      await tokens.verify(await forged({ alg: "EdDSA", kid: stranger.kid }, await privateKeyOf(stranger))),
    ).toBeNull();
    expect(
      await tokens.verify(await forged({ alg: "EdDSA", kid: active.kid }, await privateKeyOf(stranger))),
    ).toBeNull();
    expect(
      await tokens.verify(await forged({ alg: "EdDSA", kid: retired.kid }, await privateKeyOf(retired))),
    ).toBeNull();
    expect(await tokens.verify(await forged({ alg: "EdDSA" }, await privateKeyOf(active)))).toBeNull();
    // The control: the same forgery with the active key and its kid is a valid token.
    expect(
      await tokens.verify(await forged({ alg: "EdDSA", kid: active.kid }, await privateKeyOf(active))),
    ).not.toBeNull();
  });
});

describe("HS256 compatibility ring", () => {
  const secret = "unit-secret-unit-secret-unit-secret!!";
  const tokens = new TokenService({ ...claims, secret });

  test("tokens carry the secret's kid; an EdDSA token naming that kid is refused", async () => {
    const { token } = await tokens.issue("user-1");
    const header = decodeProtectedHeader(token);
    expect(header.alg).toBe("HS256");
    expect(header.kid).toStartWith("hs256-");
    expect(await tokens.verify(token)).not.toBeNull();
    const ed = jwkOf("EdDSA", "active");
    expect(
      await tokens.verify(await forged({ alg: "EdDSA", kid: header.kid }, await privateKeyOf(ed))),
    ).toBeNull();
    expect(
      await tokens.verify(await forged({ alg: "HS256", kid: "other" }, new TextEncoder().encode(secret))),
    ).toBeNull();
  });
});

describe("key ring: size", () => {
  test("a ring of more keys than the JWK Set's documented bound is refused, so /.well-known/jwks.json keeps it", () => {
    const verifiers = Array.from({ length: KEY_RING_MAX_KEYS }, () => jwkOf("EdDSA", "verify-only"));
    const active = jwkOf("EdDSA", "active");
    expect(() => ringOf(active, ...verifiers)).toThrow(`at most ${KEY_RING_MAX_KEYS} keys`);
    expect(ringOf(active, ...verifiers.slice(1)).jwks.length).toBe(KEY_RING_MAX_KEYS);
  });
});
