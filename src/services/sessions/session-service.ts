import { randomUUID } from "node:crypto";
import { OAuthError, SessionsUnavailable } from "../../core/errors.ts";
import { newRefreshToken, refreshTokenHash, seal, unseal } from "../../core/security/refresh-token.ts";
import type { TokenService, VerifiedClaims } from "../../core/security/tokens.ts";
import type { TokenResponse } from "../../models/auth.ts";
import { RedisUnavailable } from "../../stores/redis-connection.ts";
import type { Revocation, RevocationFeed } from "../../stores/revocation-feed.ts";
import type { Session, SessionStore } from "../../stores/session-store.ts";
import type { CallContext } from "../call-context.ts";
import { upstreamError } from "../upstream-errors.ts";
import type { UserCache } from "../user-cache.ts";
import type { UsersClient } from "../users-client.ts";
import type { RevocationSet } from "./revocation-set.ts";

export interface SessionSettings {
  refreshTtlSeconds: number;
  maxAgeSeconds: number;
  graceSeconds: number;
  /** The access tokens' lifetime: how long a revocation must be remembered. */
  accessTtlSeconds: number;
}

// Access tokens verify with this much clock tolerance, so a revocation outlives them by as much.
const TOLERANCE_MS = 10_000;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const invalidGrant = (why: string) => new OAuthError("invalid_grant", why);

/**
 * The session lifecycle: a login opens a refresh family, each refresh rotates it (RFC 6749 §6, RFC 9700
 * §4.14.2), logout and revocation end it and refuse its access tokens fleet-wide. Anything that needs the
 * shared store fails closed with a 503 while it is down; verification does not use the store at all.
 */
export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly feed: RevocationFeed,
    private readonly revocations: RevocationSet,
    private readonly tokens: TokenService,
    private readonly users: UsersClient,
    private readonly cache: UserCache,
    private readonly settings: SessionSettings,
  ) {}

  /** Settles once the first attempt to follow the fleet's revocations did (tests, readiness). */
  following: Promise<void> = Promise.resolve();

  /** Starts following the fleet's revocations into the local set. */
  follow(): Promise<void> {
    this.following = this.feed.follow((revocation) => this.revocations.add(revocation));
    return this.following;
  }

  /** A new session for a user whose credentials were just checked: its first token pair. */
  async open(userId: string): Promise<TokenResponse> {
    const now = Date.now();
    const session: Session = {
      sid: randomUUID(),
      userId,
      startedAt: now,
      endsAt: now + this.settings.maxAgeSeconds * 1000,
    };
    const refreshToken = newRefreshToken();
    const ttlMs = this.#ttlMs(session, now);
    await this.#shared(() => this.store.create(session, refreshTokenHash(refreshToken), ttlMs));
    return this.#answer(session, refreshToken, ttlMs);
  }

  /** RFC 6749 §6. Every failure of the grant itself is `invalid_grant`, which is all a client may learn. */
  async refresh(refreshToken: string, ctx: CallContext): Promise<TokenResponse> {
    const hash = refreshTokenHash(refreshToken);
    const found = await this.#shared(() => this.store.find(hash));
    if (!found) throw invalidGrant("The refresh token is invalid, expired or revoked.");
    const { session } = found;
    if (!found.current) return this.#replayed(session, hash, refreshToken);
    let user: Awaited<ReturnType<UsersClient["getUser"]>>;
    try {
      user = await this.users.getUser(session.userId, ctx);
    } catch (error) {
      throw upstreamError("Users", error);
    }
    this.cache.set(session.userId, user);
    if (!user || user.disabled) {
      await this.#endById(session.sid);
      throw invalidGrant(user ? "The account is disabled." : "The user no longer exists.");
    }
    const now = Date.now();
    const ttlMs = this.#ttlMs(session, now);
    if (ttlMs <= 0) {
      await this.#endById(session.sid);
      throw invalidGrant("The session has reached its maximum age; log in again.");
    }
    const next = newRefreshToken();
    const answer = await this.#answer(session, next, ttlMs);
    const rotation = {
      nextHash: refreshTokenHash(next),
      sealedAnswer: seal(JSON.stringify(answer), refreshToken),
      ttlMs,
      graceMs: this.settings.graceSeconds * 1000,
    };
    const redeemed = await this.#shared(() => this.store.redeem(session, hash, rotation));
    if (redeemed.outcome === "rotated") return answer;
    // Another request rotated this token between find and redeem: it is now the grace retry, or reuse.
    return this.#outcome(session, redeemed, refreshToken);
  }

  /** POST /logout: this session, or every session of the user. */
  async logout(claims: VerifiedClaims, all: boolean): Promise<void> {
    await this.#publish({ kind: "jti", id: claims.jti, until: claims.exp * 1000 + TOLERANCE_MS });
    if (all) {
      const now = Date.now();
      // Every session's tokens by sid, and by time any token of the user from before now.
      await this.#publish({
        kind: "user",
        id: claims.sub,
        notBefore: Math.floor(now / 1000),
        until: this.#revokedUntil(now),
      });
      const sids = await this.#shared(() => this.store.sessionsOf(claims.sub));
      for (const sid of sids) await this.#endById(sid);
      return;
    }
    if (claims.sid !== undefined) await this.#endById(claims.sid);
  }

  /**
   * RFC 7009: a refresh token ends its session; an access token is refused from now on and ends its
   * session too (§2.1 allows both). Anything else is ignored: the answer is 200 regardless (§2.2).
   */
  async revoke(token: string): Promise<void> {
    if (JWT_SHAPE.test(token)) {
      const claims = await this.tokens.verify(token);
      if (claims) await this.logout(claims, false);
      return;
    }
    const found = await this.#shared(() => this.store.find(refreshTokenHash(token)));
    if (found) await this.#endById(found.session.sid);
  }

  async #replayed(session: Session, hash: string, refreshToken: string): Promise<TokenResponse> {
    const redeemed = await this.#shared(() => this.store.redeem(session, hash));
    return this.#outcome(session, redeemed, refreshToken);
  }

  async #outcome(
    session: Session,
    redeemed: Awaited<ReturnType<SessionStore["redeem"]>>,
    refreshToken: string,
  ): Promise<TokenResponse> {
    if (redeemed.outcome === "grace") {
      const answer = unseal(redeemed.sealedAnswer, refreshToken);
      if (answer !== undefined) return JSON.parse(answer) as TokenResponse;
      await this.#endById(session.sid);
    }
    if (redeemed.outcome === "reused") {
      // The family is gone from the store; its access tokens must go too: one of them may be the thief's.
      await this.#revokeSession(session.sid);
      throw invalidGrant("The refresh token was already used; the session has been revoked.");
    }
    throw invalidGrant("The refresh token is invalid, expired or revoked.");
  }

  async #answer(session: Session, refreshToken: string, ttlMs: number): Promise<TokenResponse> {
    const access = await this.tokens.issue(session.userId, { sid: session.sid });
    return {
      access_token: access.token,
      token_type: "bearer",
      expires_in: access.expiresIn,
      refresh_token: refreshToken,
      refresh_expires_in: Math.floor(ttlMs / 1000),
    };
  }

  #ttlMs(session: Session, now: number): number {
    return Math.min(this.settings.refreshTtlSeconds * 1000, session.endsAt - now);
  }

  #revokedUntil(now: number): number {
    return now + this.settings.accessTtlSeconds * 1000 + TOLERANCE_MS;
  }

  async #endById(sid: string): Promise<void> {
    await this.#shared(() => this.store.remove(sid));
    await this.#revokeSession(sid);
  }

  #revokeSession(sid: string): Promise<void> {
    return this.#publish({ kind: "sid", id: sid, until: this.#revokedUntil(Date.now()) });
  }

  /** Applied here at once, whatever the feed does; shared with the fleet, or a 503. */
  async #publish(revocation: Revocation): Promise<void> {
    this.revocations.add(revocation);
    await this.#shared(() => this.feed.publish(revocation));
  }

  async #shared<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof RedisUnavailable) throw new SessionsUnavailable(error);
      throw error;
    }
  }
}
