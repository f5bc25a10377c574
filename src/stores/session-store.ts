/** A session is one refresh-token family: every refresh token it ever had descends from one login. */
export interface Session {
  /** The session id, also the access tokens' `sid` claim. */
  sid: string;
  userId: string;
  /** Epoch ms of the login. */
  startedAt: number;
  /** Epoch ms past which no refresh extends it (login + GATEWAY_SESSION_MAX_AGE). */
  endsAt: number;
}

/** What replaces the presented refresh token when it is the family's current one. */
export interface Rotation {
  /** SHA-256 of the new refresh token: the only form in which a store holds a token. */
  nextHash: string;
  /** The answer given for this rotation, sealed with the old token (see refresh-token.ts). */
  sealedAnswer: string;
  /** Lifetime of the new token and of the session, ms (sliding, already cut at `endsAt`). */
  ttlMs: number;
  /** How long the old token may be presented once more to get `sealedAnswer` again, ms. */
  graceMs: number;
}

export type Redeemed =
  /** The token was current and is now replaced by `nextHash`. */
  | { outcome: "rotated" }
  /** The token was replaced moments ago and this is its one retry: the same answer again. */
  | { outcome: "grace"; sealedAnswer: string }
  /** The token was replaced before (RFC 9700 §4.14.2 reuse): the family has just been ended. */
  | { outcome: "reused" }
  /** The token is current, but no rotation was offered. */
  | { outcome: "current" }
  /** The session is gone (ended, expired). */
  | { outcome: "unknown" };

/**
 * Where sessions live: in-process, or in Redis for the whole fleet. Every operation that decides is atomic
 * in the store itself, so two instances (or two requests) redeeming the same refresh token cannot both win.
 */
export interface SessionStore {
  create(session: Session, tokenHash: string, ttlMs: number): Promise<void>;
  /** The session of a refresh token (its current one, or an earlier one), and whether it is the current. */
  find(tokenHash: string): Promise<{ session: Session; current: boolean } | undefined>;
  /** Rotates, replays the grace answer once, or ends the family on reuse, in one atomic step. */
  redeem(session: Session, tokenHash: string, rotation?: Rotation): Promise<Redeemed>;
  /** Ends a session; the session it was, if it still existed. */
  remove(sid: string): Promise<Session | undefined>;
  /** The ids of a user's sessions (some may have ended since; `remove` then finds nothing). */
  sessionsOf(userId: string): Promise<string[]>;
  close(): void;
}
