import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/core/config/load.ts";
import { createLogger } from "../../src/core/logger.ts";
import { type RunningGateway, startGateway } from "../../src/server.ts";
import { createServices, type ReadyConfig, type Services } from "../../src/services/container.ts";
import { DEMO } from "../helpers/http.ts";
import { redisMissing, TEST_REDIS_URL, uniquePrefix } from "../helpers/redis.ts";
import { startBackends, TEST_SECRET } from "../helpers/stack.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";

interface Instance {
  url: string;
  services: Services;
  gateway: RunningGateway;
}

type Backends = Awaited<ReturnType<typeof startBackends>>;

function startInstance(backends: Backends, redisUrl: string, prefix: string, extra = {}): Instance {
  const config = loadConfig({
    flags: {
      jwtSecret: TEST_SECRET,
      usersUrl: backends.users.url,
      aggregatorUrl: backends.aggregator.url,
      redisUrl,
      redisPrefix: prefix,
      redisTimeoutMs: 500,
      refreshGrace: 0,
      ...extra,
    },
    env: {},
  }) as ReadyConfig;
  const services = createServices(
    config,
    createLogger("error", () => {}),
  );
  const gateway = startGateway({
    services,
    logger: createLogger("error", () => {}),
    host: "127.0.0.1",
    port: 0,
  });
  return { url: gateway.url, services, gateway };
}

async function stopInstance(instance: Instance) {
  await instance.gateway.stop(1000);
  instance.services.close();
}

async function login(instance: Instance, who: { email: string; password: string }) {
  const response = await fetch(`${instance.url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(who),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token: string };
}

const profileStatus = async (instance: Instance, token: string) =>
  (await fetch(`${instance.url}/profile`, { headers: { authorization: `Bearer ${token}` } })).status;

const post = (instance: Instance, path: string, init: RequestInit) =>
  fetch(`${instance.url}${path}`, { method: "POST", ...init });

const refresh = (instance: Instance, token: string) =>
  post(instance, "/token", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }).toString(),
  });

/** Polls until the instance refuses the token, for at most 1 s: the promise of the issue. */
async function refusedWithinOneSecond(instance: Instance, token: string): Promise<boolean> {
  const deadline = Date.now() + 1000;
  do {
    if ((await profileStatus(instance, token)) === 401) return true;
    await Bun.sleep(20);
  } while (Date.now() < deadline);
  return false;
}

/** Until the instance has subscribed: what is published from then on reaches it by pub/sub alone. */
const following = (instance: Instance) => instance.services.sessions.following;

describe.skipIf(redisMissing)("sessions shared by two gateway instances through Redis", () => {
  let backends: Backends;
  let a: Instance;
  let b: Instance;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    backends = await startBackends();
    a = startInstance(backends, TEST_REDIS_URL, prefix);
    b = startInstance(backends, TEST_REDIS_URL, prefix);
    await Promise.all([following(a), following(b)]);
  });
  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
    await backends.close();
  });

  test("a refresh token issued by A is rotated by B; a logout on A is refused by B within 1 s", async () => {
    const pair = await login(a, DEMO.premium);
    const rotated = await refresh(b, pair.refresh_token);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { access_token: string; refresh_token: string };
    expect(await profileStatus(b, next.access_token)).toBe(200);
    expect(
      (await post(a, "/logout", { headers: { authorization: `Bearer ${next.access_token}` } })).status,
    ).toBe(204);
    expect(await refusedWithinOneSecond(b, next.access_token)).toBe(true);
    expect((await refresh(b, next.refresh_token)).status).toBe(400);
  });

  test("RFC 7009 revocation on A of a refresh token is refused by B within 1 s", async () => {
    const pair = await login(a, DEMO.free);
    expect(await profileStatus(b, pair.access_token)).toBe(200);
    const revoked = await post(a, "/revoke", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: pair.refresh_token }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect(await refusedWithinOneSecond(b, pair.access_token)).toBe(true);
  });

  test("reuse of a rotated refresh token on B revokes the family on A too", async () => {
    const pair = await login(a, DEMO.premium);
    const next = (await (await refresh(a, pair.refresh_token)).json()) as { access_token: string };
    expect(await profileStatus(a, next.access_token)).toBe(200);
    const reused = await refresh(b, pair.refresh_token);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe("invalid_grant");
    expect(await refusedWithinOneSecond(a, next.access_token)).toBe(true);
  });

  test("logout ?all=true on B ends the user's sessions made on A", async () => {
    const first = await login(a, DEMO.expired);
    const second = await login(a, DEMO.expired);
    const out = await post(b, "/logout?all=true", {
      headers: { authorization: `Bearer ${second.access_token}` },
    });
    expect(out.status).toBe(204);
    expect(await refusedWithinOneSecond(a, first.access_token)).toBe(true);
    expect((await refresh(a, first.refresh_token)).status).toBe(400);
  });

  test("an instance started after a logout loads it from Redis and refuses the token", async () => {
    const pair = await login(a, DEMO.free);
    await post(a, "/logout", { headers: { authorization: `Bearer ${pair.access_token}` } });
    const late = startInstance(backends, TEST_REDIS_URL, prefix);
    try {
      expect(await refusedWithinOneSecond(late, pair.access_token)).toBe(true);
    } finally {
      await stopInstance(late);
    }
  });
});

describe.skipIf(redisMissing)("Redis down", () => {
  let backends: Backends;
  let proxy: TcpProxy;
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    backends = await startBackends();
    proxy = startTcpProxy(TEST_REDIS_URL);
    const prefix = uniquePrefix();
    a = startInstance(backends, proxy.url, prefix);
    b = startInstance(backends, proxy.url, prefix);
    await Promise.all([following(a), following(b)]);
  });
  afterAll(async () => {
    await Promise.all([stopInstance(a), stopInstance(b)]);
    proxy.stop();
    await backends.close();
  });

  test("refresh answers 503 (fail closed) while both instances keep refusing what was revoked", async () => {
    const revoked = await login(a, DEMO.premium);
    const live = await login(a, DEMO.premium);
    await post(a, "/logout", { headers: { authorization: `Bearer ${revoked.access_token}` } });
    expect(await refusedWithinOneSecond(b, revoked.access_token)).toBe(true);
    proxy.mode("down");
    try {
      const failed = await refresh(b, live.refresh_token);
      expect(failed.status).toBe(503);
      expect(failed.headers.get("content-type")).toBe("application/problem+json");
      for (const instance of [a, b]) {
        expect(await profileStatus(instance, revoked.access_token)).toBe(401);
        expect(await profileStatus(instance, live.access_token)).toBe(200);
      }
    } finally {
      proxy.mode("forward");
    }
  });
});
