import { describe, expect, test } from "bun:test";
import { CircuitBreaker } from "../../src/services/resilience/circuit-breaker.ts";
import { RetryBudget } from "../../src/services/resilience/retry-budget.ts";

describe("CircuitBreaker", () => {
  const make = (options = {}) => {
    let now = 0;
    const breaker = new CircuitBreaker("test", { failures: 3, openMs: 1000, ...options }, () => now);
    return { breaker, advance: (ms: number) => (now += ms) };
  };

  test("opens after N consecutive failures; a success in between resets the count", () => {
    const { breaker } = make();
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    expect(breaker.state).toBe("closed");
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryAfterMs).toBe(1000);
  });

  test("opens on a failure rate of >= 50% over >= 20 calls, even without a long run of failures", () => {
    const { breaker } = make({ failures: 100 });
    for (let i = 0; i < 10; i++) {
      breaker.success();
      breaker.failure();
    }
    expect(breaker.state).toBe("open");
  });

  test("half-open lets exactly one probe through; its success closes, its failure re-opens", () => {
    const { breaker, advance } = make();
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(1000);
    expect(breaker.state).toBe("half-open");
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe("closed");
    for (let i = 0; i < 3; i++) breaker.failure();
    advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe("open");
    expect(breaker.retryAfterMs).toBe(1000);
  });

  test("old calls fall out of the failure-rate window", () => {
    const { breaker, advance } = make({ failures: 100 });
    for (let i = 0; i < 15; i++) breaker.failure();
    advance(20_000);
    for (let i = 0; i < 19; i++) breaker.success();
    breaker.failure();
    expect(breaker.state).toBe("closed");
  });
});

describe("RetryBudget", () => {
  test("allows retries up to 20% of calls in the window, with a floor of 3", () => {
    let now = 0;
    const budget = new RetryBudget(0.2, 3, 10_000, () => now);
    for (let i = 0; i < 5; i++) budget.recordCall();
    expect([budget.tryRetry(), budget.tryRetry(), budget.tryRetry(), budget.tryRetry()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    for (let i = 0; i < 95; i++) budget.recordCall();
    let granted = 3;
    while (budget.tryRetry()) granted += 1;
    expect(granted).toBe(20);
    now += 10_000;
    budget.recordCall();
    expect(budget.tryRetry()).toBe(true);
  });
});
