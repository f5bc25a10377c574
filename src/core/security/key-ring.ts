import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { KEY_RING_MAX_KEYS, KID_MAX_LENGTH, type PublicJwk } from "../../models/well-known.ts";

/**
 * The keys the gateway signs and verifies access tokens with. A ring is either asymmetric (EdDSA and
 * ES256 keys, from GATEWAY_JWT_KEYS or generated for a demo) or one HS256 secret (GATEWAY_JWT_SECRET),
 * never both: verification then cannot be talked into checking an HMAC against a public key's bytes.
 *
 * A key's state is a custom JWK member (RFC 7517 §4 allows them): `"gateway:state": "active"` signs,
 * `"verify-only"` only verifies, absent means retired (listed, never used). `"gateway:created"` is an
 * ISO date, for `gateway keys list` and for rotation runbooks.
 */
export const STATE = "gateway:state";
export const CREATED = "gateway:created";

export type AsymmetricAlg = "EdDSA" | "ES256";
export type KeyAlg = AsymmetricAlg | "HS256";
export type KeyState = "active" | "verify-only" | "retired";
export const ASYMMETRIC_ALGS: readonly AsymmetricAlg[] = ["EdDSA", "ES256"];

export interface RingKey {
  kid: string;
  alg: KeyAlg;
  state: KeyState;
  created?: string;
  sign: KeyObject | Uint8Array;
  verify: KeyObject | Uint8Array;
  /** The public half as published in /.well-known/jwks.json; undefined for HS256. */
  publicJwk?: PublicJwk;
}

export interface KeyRing {
  kind: "asymmetric" | "hmac";
  active: RingKey;
  /** Active and verify-only keys by kid: the only keys a token may name. */
  verifiers: ReadonlyMap<string, RingKey>;
  /** Every key, retired ones included, in file order (for `gateway keys list`). */
  all: readonly RingKey[];
  /** What jose may accept at all, before the kid decides which one. */
  algorithms: KeyAlg[];
  /** Public keys of the active and verify-only keys; empty for HS256. */
  jwks: PublicJwk[];
}

/** A key ring file that cannot be used, said in one line naming the file and the key. */
export class KeyRingError extends Error {
  override name = "KeyRingError";
}

const CURVES: Record<AsymmetricAlg, Pick<PublicJwk, "kty" | "crv">> = {
  EdDSA: { kty: "OKP", crv: "Ed25519" },
  ES256: { kty: "EC", crv: "P-256" },
};

type Jwk = Record<string, unknown>;

const KID = new RegExp(`^[A-Za-z0-9._-]{1,${KID_MAX_LENGTH}}$`);

function parseKey(jwk: unknown, where: string): RingKey {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk))
    throw new KeyRingError(`${where}: not a JWK object`);
  const key = jwk as Jwk;
  const kid = key.kid;
  if (typeof kid !== "string" || !KID.test(kid))
    throw new KeyRingError(`${where}: "kid" must be 1-${KID_MAX_LENGTH} characters of A-Z a-z 0-9 . _ -`);
  const at = `${where} key "${kid}"`;
  const alg = key.alg;
  if (!ASYMMETRIC_ALGS.includes(alg as AsymmetricAlg))
    throw new KeyRingError(`${at}: "alg" must be EdDSA or ES256 (HS256 is GATEWAY_JWT_SECRET's)`);
  const expected = CURVES[alg as AsymmetricAlg];
  if (key.kty !== expected.kty || key.crv !== expected.crv)
    throw new KeyRingError(`${at}: ${alg} needs kty ${expected.kty} and crv ${expected.crv}`);
  if (typeof key.d !== "string") throw new KeyRingError(`${at}: the private key ("d") is missing`);
  const state = key[STATE] ?? "retired";
  if (state !== "active" && state !== "verify-only" && state !== "retired")
    throw new KeyRingError(`${at}: "${STATE}" must be "active" or "verify-only" (absent = retired)`);
  const created = key[CREATED];
  if (created !== undefined && (typeof created !== "string" || Number.isNaN(Date.parse(created))))
    throw new KeyRingError(`${at}: "${CREATED}" must be an ISO date`);
  let sign: KeyObject;
  try {
    const { kty, crv, x, y, d } = key;
    sign = createPrivateKey({ key: { kty, crv, x, y, d } as Record<string, string>, format: "jwk" });
  } catch (error) {
    throw new KeyRingError(`${at}: not a valid ${alg} private key (${(error as Error).message})`);
  }
  const verify = createPublicKey(sign);
  const pub = verify.export({ format: "jwk" });
  const publicJwk: PublicJwk = {
    kty: expected.kty,
    crv: expected.crv,
    x: pub.x as string,
    ...(pub.y === undefined ? {} : { y: pub.y }),
    kid,
    alg: alg as AsymmetricAlg,
    use: "sig",
  };
  return { kid, alg: alg as AsymmetricAlg, state, ...(created ? { created } : {}), sign, verify, publicJwk };
}

function ringOf(kind: KeyRing["kind"], keys: RingKey[], source: string): KeyRing {
  // The JWK Set publishes every one of them, and its document promises a bound.
  if (keys.length > KEY_RING_MAX_KEYS)
    throw new KeyRingError(`${source}: at most ${KEY_RING_MAX_KEYS} keys (found ${keys.length})`);
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key.kid)) throw new KeyRingError(`${source}: kid "${key.kid}" appears twice`);
    seen.add(key.kid);
  }
  const active = keys.filter((key) => key.state === "active");
  if (active.length !== 1) {
    const found = active.length === 0 ? "none" : active.map((key) => key.kid).join(", ");
    throw new KeyRingError(`${source}: exactly one key must be "${STATE}": "active" (found ${found})`);
  }
  const verifiers = new Map(keys.filter((key) => key.state !== "retired").map((key) => [key.kid, key]));
  return {
    kind,
    active: active[0] as RingKey,
    verifiers,
    all: keys,
    algorithms: [...new Set([...verifiers.values()].map((key) => key.alg))],
    jwks: [...verifiers.values()].flatMap((key) => (key.publicJwk ? [key.publicJwk] : [])),
  };
}

/** The JWKs of a file: a JWK Set (`{"keys": [...]}`) or a single JWK. */
export function jwksOfFile(path: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new KeyRingError(`${path}: ${(error as Error).message}`);
  }
  if (typeof parsed === "object" && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys))
    return (parsed as { keys: unknown[] }).keys;
  return [parsed];
}

/** The `.json` files of a key directory, in name order, so a listing is stable. */
export function keyFilesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name));
}

/** Every key of a directory of JWK files or of one JWK Set file, each checked alone (for listing). */
export function keysAt(path: string): RingKey[] {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new KeyRingError(`${path}: no such file or directory`);
  }
  const files = isDir ? keyFilesOf(path) : [path];
  return files.flatMap((file) => jwksOfFile(file).map((jwk, i) => parseKey(jwk, `${file}#${i}`)));
}

/** Reads GATEWAY_JWT_KEYS and checks it as a ring. Synchronous, so the config check can use it. */
export function loadKeyRing(path: string): KeyRing {
  return ringOf("asymmetric", keysAt(path), path);
}

/** A ring from JWKs already in memory (a demo's generated key). */
export function keyRingOf(jwks: unknown[], source = "key ring"): KeyRing {
  return ringOf(
    "asymmetric",
    jwks.map((jwk, i) => parseKey(jwk, `${source}#${i}`)),
    source,
  );
}

/**
 * The HS256 compatibility ring: one key, whose kid is its RFC 7638 thumbprint (a SHA-256 of the secret,
 * which an HS256 token already lets anyone test guesses against, so it gives nothing away).
 */
export function hmacRing(secret: string): KeyRing {
  const bytes = new TextEncoder().encode(secret);
  const k = Buffer.from(bytes).toString("base64url");
  const kid = `hs256-${Bun.CryptoHasher.hash("sha256", `{"k":"${k}","kty":"oct"}`, "base64url").slice(0, 16)}`;
  const key: RingKey = { kid, alg: "HS256", state: "active", sign: bytes, verify: bytes };
  return ringOf("hmac", [key], "GATEWAY_JWT_SECRET");
}
