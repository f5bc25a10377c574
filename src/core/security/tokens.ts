import { randomUUID } from "node:crypto";
import { jwt } from "@elysiajs/jwt";
import { LRUCache } from "lru-cache";

// Bounded: a flood of distinct valid tokens evicts the oldest entries, which are then just verified again.
const VERIFIED_MAX = 10_000;

// Clocks of the instances that issue and verify may differ by this much, seconds.
const CLOCK_TOLERANCE_S = 5;

const rememberedKey = (token: string) => Bun.CryptoHasher.hash("sha256", token, "base64");

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessToken {
  token: string;
  expiresIn: number;
}

export interface VerifiedClaims {
  sub: string;
  exp: number;
  jti: string;
}

/**
 * Issues and verifies the gateway's HS256 tokens. @elysiajs/jwt's `verify()` checks nothing but the
 * signature unless told to, so every check is pinned here: the algorithm (no HS512, no `none`), issuer,
 * audience, and the presence of `exp`, `iat`, `sub` and `jti`. jose checks `iat` only against a maximum age,
 * so two more are ours: an `iat` in the future (beyond the clock tolerance) and a lifetime `exp - iat` above
 * the configured TTL, which no token of ours has, are refused. Either means a token minted outside `issue()`
 * (a leaked secret, a tool, an instance with a wrong clock), and a long lifetime would outlive a TTL cut.
 */
export class TokenService {
  readonly #signer;
  readonly #settings: TokenSettings;
  readonly #verifyOptions;
  // Oldest verified goes first: `peek` does not count a use. Expiry is the token's own `exp`.
  readonly #verified = new LRUCache<string, VerifiedClaims>({ max: VERIFIED_MAX });

  constructor(settings: TokenSettings) {
    this.#settings = settings;
    this.#signer = jwt({ name: "jwt", secret: settings.secret, alg: "HS256" }).decorator.jwt;
    this.#verifyOptions = {
      algorithms: ["HS256"],
      issuer: settings.issuer,
      audience: settings.audience,
      requiredClaims: ["exp", "iat", "sub", "jti"],
      clockTolerance: CLOCK_TOLERANCE_S,
    };
  }

  async issue(userId: string): Promise<AccessToken> {
    const now = Math.floor(Date.now() / 1000);
    const token = await this.#signer.sign({
      sub: userId,
      iss: this.#settings.issuer,
      aud: this.#settings.audience,
      jti: randomUUID(),
      exp: now + this.#settings.ttlSeconds,
    });
    return { token, expiresIn: this.#settings.ttlSeconds };
  }

  /** The claims of a token verified before and not expired, without a promise: the common case. */
  remembered(token: string): VerifiedClaims | undefined {
    const key = rememberedKey(token);
    const remembered = this.#verified.peek(key);
    if (!remembered) return undefined;
    if (remembered.exp * 1000 > Date.now()) return remembered;
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
    const claims = await this.#signer.verify(token, this.#verifyOptions);
    if (
      !claims ||
      typeof claims.sub !== "string" ||
      typeof claims.exp !== "number" ||
      typeof claims.iat !== "number" ||
      typeof claims.jti !== "string" ||
      claims.iat > Date.now() / 1000 + CLOCK_TOLERANCE_S ||
      claims.exp - claims.iat > this.#settings.ttlSeconds
    ) {
      return null;
    }
    const verified = { sub: claims.sub, exp: claims.exp, jti: claims.jti };
    this.#verified.set(rememberedKey(token), verified);
    return verified;
  }
}
