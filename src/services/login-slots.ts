import { LoginBusy } from "../core/errors.ts";

interface Waiter {
  admit(): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Admission control for credential checks, per instance: at most `max` in flight to the Users service,
 * a FIFO queue of at most `queueLength` behind them, each waiting at most `waitMs` (or what is left of
 * its deadline). Beyond that a login gets 503 at once, without a Users call: password hashing is the
 * Users service's most expensive work, and sending it more than it can do only turns into time-outs
 * for everyone.
 */
export class LoginSlots {
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(
    private readonly max: number,
    private readonly queueLength: number,
    private readonly waitMs: number,
  ) {}

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `check` in a slot. `overloaded()` tells it whether a slow answer may be our own doing: the
   * check queued behind our bound, or every slot is busy (we send the most we allow).
   */
  async run<T>(leftMs: number, check: (overloaded: () => boolean) => Promise<T>): Promise<T> {
    let waited = false;
    if (this.#active < this.max && this.#queue.length === 0) this.#active += 1;
    else {
      waited = true;
      await this.#wait(Math.min(this.waitMs, leftMs));
    }
    try {
      return await check(() => waited || this.#active >= this.max);
    } finally {
      this.#release();
    }
  }

  #wait(ms: number): Promise<void> {
    if (this.#queue.length >= this.queueLength || ms <= 0) return Promise.reject(new LoginBusy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          const at = this.#queue.indexOf(waiter);
          if (at >= 0) this.#queue.splice(at, 1);
          reject(new LoginBusy());
        }, ms),
      };
      this.#queue.push(waiter);
    });
  }

  /** A freed slot goes straight to the oldest waiter, so the count of active checks never dips. */
  #release(): void {
    const next = this.#queue.shift();
    if (next) next.admit();
    else this.#active -= 1;
  }
}
