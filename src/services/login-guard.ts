import { createHash } from "node:crypto";
import { RateLimited } from "../core/errors.ts";
import type { LoginLimits } from "../models/subscription.ts";
import type { LimitStore } from "../stores/limit-store.ts";

/**
 * Brute-force protection for POST /login, counting failures only:
 * - per client IP: `maxFailures` in the window and that IP may not try any account;
 * - per email: once an account has `maxFailures` failures from anywhere, only IPs with no failures in
 *   the window may still try it. The owner on a clean network can still log in, so an attacker
 *   cannot lock a user out everywhere, while each attacking IP gets at most one more guess.
 * Emails are hashed in keys, so the store holds no addresses.
 */
export class LoginGuard {
  readonly #windowMs: number;

  constructor(
    private readonly store: LimitStore,
    private readonly limits: LoginLimits,
  ) {
    this.#windowMs = limits.windowSeconds * 1000;
  }

  #keys(ip: string, email: string): [string, string] {
    const hashed = createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 22);
    return [`login:ip:${ip}`, `login:email:${hashed}`];
  }

  async check(ip: string, email: string): Promise<void> {
    const [byIp, byEmail] = await this.store.read(this.#keys(ip, email));
    const max = this.limits.maxFailures;
    if (byIp && byIp.count >= max) throw this.#refusal("this address", byIp.resetMs);
    if (byEmail && byIp && byEmail.count >= max && byIp.count > 0)
      throw this.#refusal("this account", byEmail.resetMs);
  }

  async failed(ip: string, email: string): Promise<void> {
    await this.store.increment(this.#keys(ip, email), this.#windowMs);
  }

  async succeeded(ip: string, email: string): Promise<void> {
    await this.store.remove(this.#keys(ip, email)[1]);
  }

  #refusal(what: string, resetMs: number): RateLimited {
    const seconds = Math.max(1, Math.ceil(resetMs / 1000));
    return new RateLimited(
      `Too many failed logins from ${what}; try again in ${seconds} s.`,
      seconds,
      "login-throttled",
      { "violated-policies": ["login"] },
    );
  }
}
