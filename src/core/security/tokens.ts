import { randomUUID } from "node:crypto";
import { type JWTHeaderParameters, jwtVerify, SignJWT } from "jose";
import { GrowingLru } from "../growing-lru.ts";
import { hmacRing, type KeyRing, type RingKey } from "./key-ring.ts";
import { KeyRingHolder } from "./key-ring-holder.ts";

// Bounded: a flood of distinct valid tokens evicts the oldest entries, which are then just verified again.
const VERIFIED_MAX = 10_000;

// Clocks of the instances that issue and verify may differ by this much, seconds.
const CLOCK_TOLERANCE_S = 5;

// Bun.SHA256.hash rather than CryptoHasher.hash: the same digest, ~260 against ~380 ns a token.
const rememberedKey = (token: string) => Bun.SHA256.hash(token, "base64");

interface TokenLimits {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** An HS256 secret (compatibility, and the existing tests) or a key ring that may be reloaded. */
export type TokenSettings = TokenLimits & ({ secret: string } | { keys: KeyRingHolder });

export interface AccessToken {
  token: string;
  expiresIn: number;
  jti: string;
  /** Epoch seconds. */
  exp: number;
}

export interface VerifiedClaims {
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  sid?: string;
}

/**
 * The key a token's header names, with the algorithm pinned to that key's: a token cannot choose how
 * it is checked (RFC 8725 §3.1). An HS256 ring has one key, so a token without a kid (issued before kids
 * existed) can only mean that one; an asymmetric ring refuses a token without a kid.
 */
function keyFor(ring: KeyRing, header: JWTHeaderParameters): RingKey {
  const key =
    header.kid === undefined
      ? ring.kind === "hmac"
        ? ring.active
        : undefined
      : ring.verifiers.get(header.kid);
  if (!key || header.alg !== key.alg) throw new Error("no key of ours for this kid and alg");
  return key;
}

/**
 * Issues and verifies the gateway's access tokens with the key ring: signed with the active key (its kid
 * in the header), verified with the key the kid names, active or verify-only. Every check is pinned
 * here: the algorithm, issuer, audience, and the presence of `exp`, `iat`, `sub` and `jti`. jose checks
 * `iat` only against a maximum age, so two more are ours: an `iat` in the future (beyond the clock
 * tolerance) and a lifetime `exp - iat` above the configured TTL, which no token of ours has, are
 * refused. Either means a token minted outside `issue()` (a leaked key, a tool, an instance with a wrong
 * clock), and a long lifetime would outlive a TTL cut.
 */
export class TokenService {
  readonly #keys: KeyRingHolder;
  readonly #settings: TokenLimits;
  // Oldest verified goes first: `peek` does not count a use. Expiry is the token's own `exp`.
  readonly #verified = new GrowingLru<string, VerifiedClaims>(VERIFIED_MAX);
  readonly #resolve = (header: JWTHeaderParameters) => keyFor(this.#keys.current, header).verify;

  // Injectable so tests can let a token expire without waiting.
  constructor(
    settings: TokenSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.#settings = {
      issuer: settings.issuer,
      audience: settings.audience,
      ttlSeconds: settings.ttlSeconds,
    };
    this.#keys = "keys" in settings ? settings.keys : new KeyRingHolder(hmacRing(settings.secret));
    // A reload may retire a key: what was verified with the old ring is verified again with the new one.
    this.#keys.onChange(() => this.#verified.clear());
  }

  async issue(userId: string, extra: { sid?: string } = {}): Promise<AccessToken> {
    const now = Math.floor(this.clock() / 1000);
    const exp = now + this.#settings.ttlSeconds;
    const jti = randomUUID();
    const key = this.#keys.current.active;
    const token = await new SignJWT(extra.sid === undefined ? {} : { sid: extra.sid })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
      .setSubject(userId)
      .setIssuer(this.#settings.issuer)
      .setAudience(this.#settings.audience)
      .setJti(jti)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(key.sign);
    return { token, expiresIn: this.#settings.ttlSeconds, jti, exp };
  }

  /** The claims of a token verified before and not expired, without a promise: the common case. */
  remembered(token: string): VerifiedClaims | undefined {
    const key = rememberedKey(token);
    const remembered = this.#verified.peek(key);
    if (!remembered) return undefined;
    if (remembered.exp * 1000 > this.clock()) return remembered;
    this.#verified.delete(key);
    return undefined;
  }

  /**
   * Null for anything that is not a valid, current token of ours; callers answer 401 alike. A token that
   * verified is remembered until its `exp`, keyed by its SHA-256 (so nothing else can match it, and the
   * process does not keep thousands of live bearer tokens in memory for a heap dump to give away):
   * verifying the signature is the costliest step of a request, and a client sends one token many times.
   */
  async verify(token: string): Promise<VerifiedClaims | null> {
    const remembered = this.remembered(token);
    if (remembered) return remembered;
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.#resolve, {
        algorithms: this.#keys.current.algorithms,
        issuer: this.#settings.issuer,
        audience: this.#settings.audience,
        requiredClaims: ["exp", "iat", "sub", "jti"],
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: new Date(this.clock()),
      }));
    } catch {
      return null;
    }
    if (
      typeof claims.sub !== "string" ||
      typeof claims.exp !== "number" ||
      typeof claims.iat !== "number" ||
      typeof claims.jti !== "string" ||
      (claims.sid !== undefined && typeof claims.sid !== "string") ||
      claims.iat > this.clock() / 1000 + CLOCK_TOLERANCE_S ||
      claims.exp - claims.iat > this.#settings.ttlSeconds
    ) {
      return null;
    }
    const verified: VerifiedClaims = { sub: claims.sub, exp: claims.exp, iat: claims.iat, jti: claims.jti };
    if (typeof claims.sid === "string") verified.sid = claims.sid;
    this.#verified.set(rememberedKey(token), verified);
    return verified;
  }
}
