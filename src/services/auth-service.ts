import { InvalidCredentials, Unauthorized } from "../core/errors.ts";
import type { AccessToken, TokenService } from "../core/security/tokens.ts";
import type { Caller } from "../models/caller.ts";
import { effectivePlan, type PlanTable, subscriptionOf } from "../models/subscription.ts";
import type { Credentials, User } from "../models/user.ts";
import type { CallContext } from "./call-context.ts";
import type { LoginGuard } from "./login-guard.ts";
import type { LoginSlots } from "./login-slots.ts";
import { remainingMs } from "./resilience/deadline.ts";
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
  ) {}

  /**
   * `clientIp` keys the brute-force protection. Both the guard and the check slots decide before the
   * Users service is asked; only wrong credentials count as failures.
   */
  async login(
    credentials: Credentials,
    ctx: CallContext,
    clientIp: string,
  ): Promise<AccessToken & { user: User }> {
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
    return { ...(await this.tokens.issue(user.id)), user };
  }

  /** `authorization` is the raw header value; every failure is a 401 with a Bearer challenge. */
  async authenticate(authorization: string | null, ctx: CallContext): Promise<Caller> {
    if (!authorization) throw new Unauthorized("This endpoint needs a bearer token (POST /login).", "");
    const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i.exec(authorization);
    if (!match?.[1])
      throw new Unauthorized("The Authorization header must be `Bearer <token>`.", "invalid_request");
    // The remembered token and the fresh cached user are read without awaiting: that is nearly every call.
    const claims = this.tokens.remembered(match[1]) ?? (await this.tokens.verify(match[1]));
    if (!claims) throw new Unauthorized("The bearer token is invalid or expired.");
    let user = this.cache.fresh(claims.sub);
    if (user === undefined) {
      try {
        user = await this.cache.get(claims.sub, (id) => this.users.getUser(id, ctx));
      } catch (error) {
        throw upstreamError("Users", error);
      }
    }
    if (!user) throw new Unauthorized("The token's user no longer exists.");
    return this.callerOf(user);
  }

  callerOf(user: User, now = Date.now()): Caller {
    const plan = effectivePlan(user, now);
    return { user, plan, limits: this.plans[plan], subscription: subscriptionOf(user, now) };
  }
}
