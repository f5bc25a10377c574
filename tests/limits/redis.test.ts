import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../src/core/logger.ts";
import { type RunningGateway, startGateway } from "../../src/server.ts";
import { createServices, type ReadyConfig, type Services } from "../../src/services/container.ts";
import { DEMO } from "../helpers/http.ts";
import { redisMissing, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.ts";
import { configFile, configFor, startBackends } from "../helpers/stack.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { tokenFor } from "../helpers/tokens.ts";

/**
 * Gateways on real sockets sharing one real Redis: the limits hold across instances exactly, and a
 * Redis that dies or hangs mid-test follows the configured failure policy without hanging requests.
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
const running: { gateway: RunningGateway; services: Services; close(): void }[] = [];
const logs: string[] = [];

function boot(flags: Record<string, unknown>): RunningGateway {
  const config = configFor({
    usersUrl: backends.users.url,
    aggregatorUrl: backends.aggregator.url,
    redisUrl: TEST_REDIS_URL,
    ...flags,
  }) as ReadyConfig;
  const logger = createLogger("debug", (line) => logs.push(line));
  const services = createServices(config, logger);
  const gateway = startGateway({ services, logger, host: "127.0.0.1", port: 0 });
  running.push({ gateway, services, close: () => services.close() });
  return gateway;
}

beforeAll(async () => {
  if (!redisMissing) backends = await startBackends();
});
afterAll(async () => {
  for (const { gateway, close } of running) {
    await gateway.stop(100);
    close();
  }
  await backends?.close();
});

/** Minted by that gateway's own TokenService. */
function tokenOf(gateway: RunningGateway, who: { email: string } = DEMO.free): Promise<string> {
  const booted = running.find((entry) => entry.gateway === gateway);
  if (!booted) throw new Error("not a gateway this file booted");
  return tokenFor(booted, who);
}

const get = (gateway: RunningGateway, path: string, token: string) =>
  fetch(gateway.url + path, { headers: { authorization: `Bearer ${token}` } });

describe.skipIf(redisMissing)("limits shared through Redis", () => {
  test("two instances, 100 concurrent requests, limit 30: exactly 30 admitted", async () => {
    const shared = {
      redisPrefix: uniquePrefix(),
      config: configFile({ plans: { free: { requestsPerMinute: 30 } } }),
    };
    const [a, b] = [boot(shared), boot(shared)] as [RunningGateway, RunningGateway];
    const token = await tokenOf(a);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => get(i % 2 ? a : b, "/profile", token)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBe(30);
    expect(statuses.filter((s) => s === 429).length).toBe(70);
  });

  test("the daily quota holds across instances", async () => {
    const shared = {
      redisPrefix: uniquePrefix(),
      config: configFile({ plans: { free: { searchesPerDay: 5 } } }),
    };
    const [a, b] = [boot(shared), boot(shared)] as [RunningGateway, RunningGateway];
    const token = await tokenOf(b);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await get(i % 2 ? a : b, "/search?query=ipad&limit=1", token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429, 429]);
  });

  describe("when Redis goes away", () => {
    let proxy: TcpProxy;
    beforeAll(() => {
      proxy = startTcpProxy(TEST_REDIS_URL);
    });
    afterAll(() => proxy.stop());

    test("policy open: requests go on, limited per instance, and it is logged", async () => {
      proxy.mode("forward");
      const gateway = boot({
        redisUrl: proxy.url,
        redisPrefix: uniquePrefix(),
        redisFailure: "open",
        redisTimeoutMs: 200,
      });
      const token = await tokenOf(gateway, DEMO.premium);
      expect((await get(gateway, "/profile", token)).status).toBe(200);
      proxy.mode("down");
      const started = performance.now();
      const during = await get(gateway, "/profile", token);
      expect(during.status).toBe(200);
      expect(during.headers.get("ratelimit")).toMatch(/^"minute";r=\d+/);
      expect(performance.now() - started).toBeLessThan(1500);
      expect(logs.some((l) => l.includes("Redis unavailable") && l.includes('"policy":"open"'))).toBe(true);
      proxy.mode("forward");
    });

    test("policy closed: 503 problem at once", async () => {
      proxy.mode("forward");
      const gateway = boot({
        redisUrl: proxy.url,
        redisPrefix: uniquePrefix(),
        redisFailure: "closed",
        redisTimeoutMs: 200,
      });
      const token = await tokenOf(gateway, DEMO.premium);
      expect((await get(gateway, "/profile", token)).status).toBe(200);
      proxy.mode("down");
      const started = performance.now();
      const during = await get(gateway, "/search?query=iphone", token);
      expect(during.status).toBe(503);
      expect(during.headers.get("content-type")).toBe("application/problem+json");
      expect(((await during.json()) as { type: string }).type).toBe("/problems/upstream-unavailable");
      expect(performance.now() - started).toBeLessThan(1500);
      proxy.mode("forward");
    });

    test("a Redis that accepts but never answers costs one short timeout, not a hung request", async () => {
      proxy.mode("forward");
      const gateway = boot({
        redisUrl: proxy.url,
        redisPrefix: uniquePrefix(),
        redisFailure: "open",
        redisTimeoutMs: 150,
      });
      const token = await tokenOf(gateway, DEMO.premium);
      proxy.mode("blackhole");
      const started = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => get(gateway, "/profile", token).then((r) => r.status)),
      );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect(performance.now() - started).toBeLessThan(1500);
      proxy.mode("forward");
    });
  });
});
