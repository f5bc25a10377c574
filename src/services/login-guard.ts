import { createHash } from "node:crypto";
import { RateLimited } from "../core/errors.ts";
import type { LoginLimits } from "../models/subscription.ts";
import type { LimitStore, WindowCount } from "../stores/limit-store.ts";
import { addressGroup } from "./login-address.ts";

const MINUTE_MS = 60_000;

/** One admitted login attempt: what `check` counted, so the outcome can settle it. */
export interface LoginAttempt {
  readonly addressKey: string;
  readonly accountKey: string;
}

/**
 * Brute-force and flood protection for POST /login, decided before any Users call (docs/limits.md):
 * - attempt rates (GCRA) per client address group and per account, successes included;
 * - failure back-off per account, whatever the address: after `maxFailures` failures each attempt must
 *   wait `backoffSeconds * 2^(failures - maxFailures)` (capped) after the latest one; a success resets;
 * - the same back-off per address group, so one address cannot spray guesses over many accounts.
 * IPv6 addresses are grouped by prefix (login-address.ts). Emails are hashed in keys.
 */
export class LoginGuard {
  readonly #windowMs: number;

  constructor(
    private readonly store: LimitStore,
    private readonly limits: LoginLimits,
  ) {
    // A counter must outlive the longest wait measured from it, or the wait would end with it early.
    this.#windowMs = Math.max(limits.windowSeconds, limits.maxBackoffSeconds) * 1000;
  }

  #keys(ip: string, email: string) {
    const group = addressGroup(ip, this.limits.ipv6PrefixLength);
    const hashed = createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 22);
    return { group, hashed };
  }

  /**
   * Admits an attempt or throws 429. The account's failure counter is charged here, before the
   * password is checked, so that concurrent attempts cannot all pass one read: once the account is in
   * back-off, exactly one attempt per wait gets through, however many addresses send it.
   */
  async check(ip: string, email: string): Promise<LoginAttempt> {
    const { group, hashed } = this.#keys(ip, email);
    const l = this.limits;
    await this.#rate(`login-rate:ip:${group}`, l.attemptsPerMinutePerAddress, "this address");
    await this.#rate(`login-rate:email:${hashed}`, l.attemptsPerMinutePerAccount, "this account");
    const attempt = { addressKey: `login:ip:${group}`, accountKey: `login:email:${hashed}` };
    const [byAddress, byAccount] = await this.store.read([attempt.addressKey, attempt.accountKey]);
    const addressWait = this.#waitMs(byAddress);
    if (addressWait > 0) throw this.#refusal("Too many failed logins from this address", addressWait);
    const accountWait = this.#waitMs(byAccount);
    if (accountWait > 0) throw this.#refusal("Too many failed logins for this account", accountWait);
    const [charged] = await this.store.increment([attempt.accountKey], this.#windowMs);
    const before = (charged?.count ?? 1) - 1;
    // Others charged the account between our read and our charge: together they would pass the ceiling
    // (in back-off, the first took the turn). This also caps one account's checks in flight.
    if (before >= l.maxFailures && before !== (byAccount?.count ?? 0)) {
      await this.store.release(attempt.accountKey);
      throw this.#refusal("Too many login attempts at once for this account", this.#backoffMs(before));
    }
    return attempt;
  }

  /** Wrong credentials: the account was charged by `check`; the address is charged now. */
  async failed(attempt: LoginAttempt): Promise<void> {
    await this.store.increment([attempt.addressKey], this.#windowMs);
  }

  /** The account's failures are forgiven; the address's are not (an attacker may own one account). */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.store.remove(attempt.accountKey);
  }

  /** No verdict on the password (the Users service failed, or no slot was free): the charge is given back. */
  async abandoned(attempt: LoginAttempt): Promise<void> {
    await this.store.release(attempt.accountKey);
  }

  async #rate(key: string, limit: number, what: string): Promise<void> {
    const { bucket } = await this.store.decide({ key, limit, periodMs: MINUTE_MS });
    if (!bucket.allowed) throw this.#refusal(`Too many login attempts for ${what}`, bucket.retryMs);
  }

  #backoffMs(failures: number): number {
    const { maxFailures, backoffSeconds, maxBackoffSeconds } = this.limits;
    return Math.min(maxBackoffSeconds, backoffSeconds * 2 ** (failures - maxFailures)) * 1000;
  }

  /** How long an attempt must still wait: the counter's age is the time since its latest failure. */
  #waitMs(counter: WindowCount | undefined): number {
    if (!counter || counter.count < this.limits.maxFailures) return 0;
    const sinceLatest = this.#windowMs - counter.resetMs;
    return this.#backoffMs(counter.count) - sinceLatest;
  }

  #refusal(why: string, waitMs: number): RateLimited {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new RateLimited(`${why}; try again in ${seconds} s.`, seconds, "login-throttled", {
      "violated-policies": ["login"],
    });
  }
}
