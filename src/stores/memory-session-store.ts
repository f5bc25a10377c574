import type { Redeemed, Rotation, Session, SessionStore } from "./session-store.ts";

interface Family {
  session: Session;
  current: string;
  expiresAt: number;
  previous?: string;
  graceUntil: number;
  sealedAnswer?: string;
  graceUsed: boolean;
}

const SWEEP_MS = 60_000;

/** Sessions of this process only (no GATEWAY_REDIS_URL): a restart ends them all. */
export class MemorySessionStore implements SessionStore {
  readonly #families = new Map<string, Family>();
  /** Every token hash a family had, so a reused one still names its family. */
  readonly #hashes = new Map<string, { sid: string; expiresAt: number }>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #sweeper = setInterval(() => this.#sweep(Date.now()), SWEEP_MS);

  constructor() {
    this.#sweeper.unref?.();
  }

  async create(session: Session, tokenHash: string, ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    this.#families.set(session.sid, {
      session,
      current: tokenHash,
      expiresAt,
      graceUntil: 0,
      graceUsed: false,
    });
    this.#hashes.set(tokenHash, { sid: session.sid, expiresAt });
    const sids = this.#byUser.get(session.userId) ?? new Set<string>();
    sids.add(session.sid);
    this.#byUser.set(session.userId, sids);
  }

  async find(tokenHash: string): Promise<{ session: Session; current: boolean } | undefined> {
    const now = Date.now();
    const hash = this.#hashes.get(tokenHash);
    if (!hash || hash.expiresAt <= now) return undefined;
    const family = this.#live(hash.sid, now);
    return family ? { session: family.session, current: family.current === tokenHash } : undefined;
  }

  async redeem(session: Session, tokenHash: string, rotation?: Rotation): Promise<Redeemed> {
    const now = Date.now();
    const family = this.#live(session.sid, now);
    if (!family) return { outcome: "unknown" };
    if (family.current === tokenHash) {
      if (!rotation) return { outcome: "current" };
      family.previous = tokenHash;
      family.current = rotation.nextHash;
      family.expiresAt = now + rotation.ttlMs;
      family.graceUntil = now + rotation.graceMs;
      family.sealedAnswer = rotation.sealedAnswer;
      family.graceUsed = false;
      this.#hashes.set(rotation.nextHash, { sid: session.sid, expiresAt: family.expiresAt });
      const old = this.#hashes.get(tokenHash);
      if (old) old.expiresAt = family.expiresAt;
      return { outcome: "rotated" };
    }
    if (
      family.previous === tokenHash &&
      now < family.graceUntil &&
      !family.graceUsed &&
      family.sealedAnswer
    ) {
      family.graceUsed = true;
      return { outcome: "grace", sealedAnswer: family.sealedAnswer };
    }
    this.#end(family.session);
    return { outcome: "reused" };
  }

  async remove(sid: string): Promise<Session | undefined> {
    const family = this.#live(sid, Date.now());
    if (!family) return undefined;
    this.#end(family.session);
    return family.session;
  }

  async sessionsOf(userId: string): Promise<string[]> {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #live(sid: string, now: number): Family | undefined {
    const family = this.#families.get(sid);
    if (family && family.expiresAt <= now) {
      this.#end(family.session);
      return undefined;
    }
    return family;
  }

  #end(session: Session): void {
    this.#families.delete(session.sid);
    const sids = this.#byUser.get(session.userId);
    sids?.delete(session.sid);
    if (sids?.size === 0) this.#byUser.delete(session.userId);
  }

  #sweep(now: number): void {
    for (const family of this.#families.values()) if (family.expiresAt <= now) this.#end(family.session);
    for (const [hash, entry] of this.#hashes) if (entry.expiresAt <= now) this.#hashes.delete(hash);
  }
}
