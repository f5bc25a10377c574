import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/** 256 bits: guessing one is hopeless, so the refresh endpoint needs no guessing protection of its own. */
const TOKEN_BYTES = 32;

export const newRefreshToken = (): string => randomBytes(TOKEN_BYTES).toString("base64url");

/** What the store keeps instead of the token: a leaked store cannot be replayed as tokens. */
export const refreshTokenHash = (token: string): string =>
  createHash("sha256").update(token).digest("base64url");

// A second, independent hash of the token is the key of the grace answer, so the store (which holds only
// the first) cannot open it: only the client presenting the old token again can.
const sealKey = (token: string) => createHash("sha256").update("gateway-grace\0").update(token).digest();

/** Encrypts the answer a rotation gave under a key only the old refresh token yields (AES-256-GCM). */
export function seal(answer: string, oldToken: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealKey(oldToken), iv);
  const body = Buffer.concat([cipher.update(answer, "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The sealed answer, or undefined if it was not sealed for this token (or was altered). */
export function unseal(sealed: string, oldToken: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", sealKey(oldToken), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
