import { describe, expect, test } from "bun:test";
import { LoginBusy } from "../../src/core/errors.ts";
import { LoginSlots } from "../../src/services/login-slots.ts";
import { CircuitBreaker } from "../../src/services/resilience/circuit-breaker.ts";
import { resilientCall } from "../../src/services/resilience/policy.ts";

/** A check that runs until `finish()` is called, reporting what `overloaded()` said when asked. */
function held() {
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { done, finish: () => finish() };
}

describe("login slots", () => {
  test("max in flight, a bounded FIFO queue behind them, 503 LoginBusy beyond it", async () => {
    const slots = new LoginSlots(2, 1, 10_000);
    const order: string[] = [];
    const a = held();
    const b = held();
    const running = [
      slots.run(Infinity, async () => {
        order.push("a");
        await a.done;
      }),
      slots.run(Infinity, async () => {
        order.push("b");
        await b.done;
      }),
    ];
    const queued = slots.run(Infinity, async (overloaded) => {
      order.push("c");
      return overloaded();
    });
    expect(slots.active).toBe(2);
    expect(slots.queued).toBe(1);
    const refused = slots.run(Infinity, async () => order.push("never"));
    expect(refused).rejects.toBeInstanceOf(LoginBusy);
    await refused.catch(() => {});
    a.finish();
    // The queued check ran in a's slot, and knows it waited behind our own bound.
    expect(await queued).toBe(true);
    b.finish();
    await Promise.all(running);
    expect(order).toEqual(["a", "b", "c"]);
    expect(slots.active).toBe(0);
  });

  test("overloaded() is true while every slot is busy, false for a check with room beside it", async () => {
    const slots = new LoginSlots(2, 0, 10_000);
    expect(await slots.run(Infinity, async (overloaded) => overloaded())).toBe(false);
    const first = held();
    const holding = slots.run(Infinity, () => first.done);
    expect(await slots.run(Infinity, async (overloaded) => overloaded())).toBe(true);
    first.finish();
    await holding;
  });

  test("a wait longer than queueWaitMs (or the deadline) is a 503 with Retry-After, the check never run", async () => {
    const slots = new LoginSlots(1, 5, 20);
    const first = held();
    const holding = slots.run(Infinity, () => first.done);
    let ran = false;
    const waited = slots.run(Infinity, async () => {
      ran = true;
    });
    const error = await waited.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoginBusy);
    expect((error as LoginBusy).headers["retry-after"]).toBe("1");
    expect(await slots.run(0, async () => "no time").catch((e: unknown) => e)).toBeInstanceOf(LoginBusy);
    expect(slots.queued).toBe(0);
    first.finish();
    await holding;
    expect(ran).toBe(false);
  });
});

describe("the overload verdict", () => {
  test("neither opens the circuit nor retries, and frees a half-open probe", async () => {
    let now = 0;
    const breaker = new CircuitBreaker("Users", { failures: 1, openMs: 100 }, () => now);
    let attempts = 0;
    const slow = () =>
      resilientCall(
        { timeoutMs: 100, retries: 3, breaker },
        { requestId: "t" },
        async () => {
          attempts += 1;
          throw new Error("timed out");
        },
        () => "overload",
      ).catch(() => {});
    for (let i = 0; i < 5; i++) await slow();
    expect(attempts).toBe(5);
    expect(breaker.state).toBe("closed");
    breaker.failure();
    now += 100;
    await slow();
    // The probe said nothing about Users: the next call may probe.
    expect(breaker.tryAcquire()).toBe(true);
  });
});
