/**
 * What the plan limiter costs per request: GET /profile through the whole gateway (JWT, cached user,
 * limiter, response validation) with no limiter, the in-process store and the Redis store, in
 * alternating rounds, reporting medians and the ratios to "none". Gateway CPU only: Redis's own CPU
 * is not counted (it runs in its own process). Usage: bun bench/limiter.ts [requests-per-round]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/core/config/load.ts";
import { silentLogger } from "../src/core/logger.ts";
import { createServices, type ReadyConfig } from "../src/services/container.ts";
import type { Decision, LimitStore, WindowCount } from "../src/stores/limit-store.ts";
import { MemoryLimitStore } from "../src/stores/memory-limit-store.ts";
import { RedisConnection } from "../src/stores/redis-connection.ts";
import { RedisLimitStore } from "../src/stores/redis-limit-store.ts";

const REQUESTS = Number(process.argv[2] ?? 20_000);
const ROUNDS = 5;
const CONCURRENCY = 16;
const REDIS = process.env.GATEWAY_TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** The baseline: a store that allows everything without doing anything. */
class NoLimits implements LimitStore {
  async decide(): Promise<Decision> {
    return { bucket: { allowed: true, remaining: 1_000_000, resetMs: 0, retryMs: 0 } };
  }
  async release() {}
  async read(keys: string[]): Promise<WindowCount[]> {
    return keys.map(() => ({ count: 0, resetMs: 0 }));
  }
  async increment(keys: string[]): Promise<WindowCount[]> {
    return this.read(keys);
  }
  async remove() {}
  close() {}
}

const user = {
  id: "7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70",
  email: "b@example.com",
  subscription: "premium",
  expires_at: null,
};
const users = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) =>
    new URL(request.url).pathname === "/v1/credentials/verify"
      ? Response.json({ user })
      : Response.json(user),
});
const base = loadConfig({
  flags: {
    usersUrl: `http://127.0.0.1:${users.port}`,
    aggregatorUrl: "http://127.0.0.1:9",
    jwtSecret: "bench-secret-bench-secret-bench-secret",
    userCacheTtl: 3600,
  },
  env: {},
}) as ReadyConfig;
const config: ReadyConfig = {
  ...base,
  plans: { ...base.plans, premium: { ...base.plans.premium, requestsPerMinute: 1_000_000 } },
};

function appWith(store: LimitStore) {
  const services = createServices(config, silentLogger, { limits: store });
  return { app: createApp({ services, logger: silentLogger }), services };
}

const variants = {
  none: appWith(new NoLimits()),
  memory: appWith(new MemoryLimitStore()),
  redis: appWith(new RedisLimitStore(new RedisConnection(REDIS, 1000), `gateway-bench:${Date.now()}:`)),
};
const token = (await variants.none.services.tokens.issue(user.id)).token;
const request = () =>
  new Request("http://localhost/profile", { headers: { authorization: `Bearer ${token}` } });

async function round(app: (typeof variants)["none"]["app"]): Promise<{ cpuUs: number; rps: number }> {
  let left = REQUESTS;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) {
        const response = await app.handle(request());
        if (response.status !== 200) throw new Error(`non-200: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  return { cpuUs: (used.user + used.system) / REQUESTS, rps: REQUESTS / seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const samples: Record<string, { cpuUs: number[]; rps: number[] }> = {};
for (const name of Object.keys(variants)) samples[name] = { cpuUs: [], rps: [] };
for (const { app } of Object.values(variants)) await round(app); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, { app }] of Object.entries(variants)) {
    const result = await round(app);
    samples[name]?.cpuUs.push(result.cpuUs);
    samples[name]?.rps.push(result.rps);
  }
}

const none = median(samples.none?.cpuUs ?? []);
const report = Object.fromEntries(
  Object.entries(samples).map(([name, s]) => [
    name,
    {
      cpu_us_per_request: Math.round(median(s.cpuUs) * 10) / 10,
      requests_per_second: Math.round(median(s.rps)),
      cpu_ratio_to_none: Math.round((median(s.cpuUs) / none) * 100) / 100,
    },
  ]),
);
console.log(
  `limiter cost, GET /profile in-process, ${REQUESTS} requests x ${ROUNDS} rounds, concurrency ${CONCURRENCY}`,
);
console.table(report);
mkdirSync("test-output", { recursive: true });
writeFileSync(
  "test-output/bench-limiter.json",
  `${JSON.stringify({ date: new Date().toISOString(), report }, null, 2)}\n`,
);
for (const { services } of Object.values(variants)) services.close();
users.stop(true);
