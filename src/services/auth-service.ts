import { AccountDisabled, InvalidCredentials, Unauthorized } from "../core/errors.ts";
import type { TokenService, VerifiedClaims } from "../core/security/tokens.ts";
import type { TokenResponse } from "../models/auth.ts";
import type { Caller } from "../models/caller.ts";
import { effectivePlan, type PlanTable, subscriptionOf } from "../models/subscription.ts";
import type { Credentials, User } from "../models/user.ts";
import type { CallContext } from "./call-context.ts";
import type { LoginGuard } from "./login-guard.ts";
import type { LoginSlots } from "./login-slots.ts";
import { remainingMs } from "./resilience/deadline.ts";
import type { RevocationSet } from "./sessions/revocation-set.ts";
import type { SessionService } from "./sessions/session-service.ts";
import { upstreamError } from "./upstream-errors.ts";
import type { UserCache } from "./user-cache.ts";
import type { UsersClient } from "./users-client.ts";

export class AuthService {
  constructor(
    private readonly users: UsersClient,
    private readonly tokens: TokenService,
    private readonly cache: UserCache,
    private readonly plans: PlanTable,
    private readonly guard: LoginGuard,
    private readonly slots: LoginSlots,
    private readonly sessions: SessionService,
    private readonly revocations: RevocationSet,
  ) {}

  /**
   * `clientIp` keys the brute-force protection. Both the guard and the check slots decide before the
   * Users service is asked; only wrong credentials count as failures.
   */
  async login(
    credentials: Credentials,
    ctx: CallContext,
    clientIp: string,
  ): Promise<TokenResponse & { user: User }> {
    const attempt = await this.guard.check(clientIp, credentials.email);
    let user: User | null;
    try {
      user = await this.slots.run(remainingMs(ctx), (overloaded) =>
        this.users.verifyCredentials(credentials, ctx, overloaded),
      );
    } catch (error) {
      await this.guard.abandoned(attempt);
      throw upstreamError("Users", error);
    }
    if (!user) {
      await this.guard.failed(attempt);
      throw new InvalidCredentials();
    }
    await this.guard.succeeded(attempt);
    if (user.disabled) throw new AccountDisabled();
    return { ...(await this.sessions.open(user.id)), user };
  }

  /** `authorization` is the raw header value; every failure is a 401 with a Bearer challenge. */
  async authenticate(authorization: string | null, ctx: CallContext): Promise<Caller> {
    const token = bearerToken(authorization);
    const claims = this.#current(
      this.tokens.remembered(token) ?? (await this.tokens.verify(jwtShaped(token))),
    );
    let user = this.cache.fresh(claims.sub);
    if (user === undefined) {
      try {
        user = await this.cache.get(claims.sub, (id) => this.users.getUser(id, ctx));
      } catch (error) {
        throw upstreamError("Users", error);
      }
    }
    return this.#callerOfRecord(user);
  }

  /**
   * `authenticate` without a promise for nearly every call: a token verified before whose user is fresh
   * in the cache. Undefined when the token must be verified or the user read (then `authenticate`);
   * the 401s it can tell without either are thrown here. A request that awaits nothing is spared a turn
   * of the event loop for each await (docs/performance.md, "Issue 15: the session of 2026-12-08").
   */
  known(authorization: string | null): Caller | undefined {
    const remembered = this.tokens.remembered(bearerToken(authorization));
    if (remembered === undefined) return undefined;
    const user = this.cache.fresh(this.#current(remembered).sub);
    return user === undefined ? undefined : this.#callerOfRecord(user);
  }

  #callerOfRecord(user: User | null): Caller {
    if (!user) throw new Unauthorized("The token's user no longer exists.");
    if (user.disabled) throw new Unauthorized("The token's user account is disabled.");
    return this.callerOf(user);
  }

  /** The claims of a valid, unrevoked bearer token, without asking the Users service (logout). */
  async claims(authorization: string | null): Promise<VerifiedClaims> {
    const token = bearerToken(authorization);
    return this.#current(this.tokens.remembered(token) ?? (await this.tokens.verify(jwtShaped(token))));
  }

  // After the signature: a revoked token (logout, reuse, /revoke, anywhere in the fleet) is refused by
  // the local revocation set, a few Map lookups.
  #current(claims: VerifiedClaims | null): VerifiedClaims {
    if (!claims) throw new Unauthorized("The bearer token is invalid or expired.");
    if (this.revocations.refuses(claims)) throw new Unauthorized("The bearer token has been revoked.");
    return claims;
  }

  /**
   * The same for a user record until its subscription can change by itself (a premium's `expires_at`),
   * so a request reuses it instead of parsing the date twice and building four objects: a user record is
   * replaced, not changed, when the cache refreshes it.
   */
  callerOf(user: User, now = Date.now()): Caller {
    const known = this.#callers.get(user);
    if (known !== undefined && now < known.until) return known.caller;
    const plan = effectivePlan(user, now);
    const caller = { user, plan, limits: this.plans[plan], subscription: subscriptionOf(user, now) };
    const expires = user.expires_at === null ? Number.NaN : Date.parse(user.expires_at);
    // Only a premium that is still active changes with time (at `expires_at`, to free).
    this.#callers.set(user, { caller, until: plan === "premium" && expires > now ? expires : Infinity });
    return caller;
  }

  readonly #callers = new WeakMap<User, { caller: Caller; until: number }>();
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function bearerToken(authorization: string | null): string {
  if (!authorization) throw new Unauthorized("This endpoint needs a bearer token (POST /login).", "");
  // RFC 6750 §2.1's syntax (b64token); a header that is not one is a malformed request (§3.1).
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization);
  if (!match?.[1])
    throw new Unauthorized("The Authorization header must be `Bearer <token>`.", "invalid_request");
  return match[1];
}

/**
 * A well-formed bearer token that is not a JWT is an invalid token, as much as a forged one is. Asked
 * only before a verification: a remembered token was verified, and no other string can match one.
 */
function jwtShaped(token: string): string {
  if (!JWT_SHAPE.test(token)) throw new Unauthorized("The bearer token is invalid or expired.");
  return token;
}
