/**
 * Drives the miss path in-process for profiling: `bun --cpu-prof bench/profile.ts` writes a .cpuprofile
 * (open it in Chrome DevTools, or summarise it with `bun bench/profile-summary.ts <file>`).
 * The fast backends run in their own process so their CPU is not in the profile.
 */
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/core/config/load.ts";
import { createLogger } from "../src/core/logger.ts";
import { createServices, type ReadyConfig } from "../src/services/container.ts";
import { BENCH_USER } from "./lib/bench-user.ts";
import { pinned, startJsonProcess, stopProcess } from "./lib/targets.ts";

const REQUESTS = Number(process.argv[2] ?? 20_000);
const { child, info } = await startJsonProcess(
  // Run this under `taskset -c 0`; the backends move to core 1 so their CPU stays out of the way.
  pinned(1, [process.execPath, `${import.meta.dir}/lib/backends.ts`]),
);
const config = loadConfig({
  flags: {
    usersUrl: info.users,
    aggregatorUrl: info.aggregator,
    jwtSecret: "bench-secret-bench-secret-bench-secret!",
  },
  env: {},
}) as ReadyConfig;
const premium = { ...config.plans.premium, requestsPerMinute: 1_000_000_000 };
const logger = createLogger("info", () => {});
const services = createServices({ ...config, plans: { ...config.plans, premium } }, logger);
const app = createApp({ services, logger });
const token = (await services.tokens.issue(BENCH_USER.id)).token;
let n = 0;
const started = performance.now();
// CPU rather than wall time as well: on a shared machine the other processes' load is in the latter.
const cpuBefore = process.cpuUsage();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (n < REQUESTS) {
      n += 1;
      const response = await app.handle(
        new Request(`http://localhost/search?query=${process.argv[3] === "hit" ? "same" : `q${n}`}`, {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
      if (response.status !== 200) throw new Error(`status ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const cpuUs = (cpu.user + cpu.system) / REQUESTS;
console.log(
  `${REQUESTS} requests in ${seconds.toFixed(2)} s: ${Math.round(REQUESTS / seconds)} req/s, ${cpuUs.toFixed(2)} µs CPU/request`,
);
services.close();
await stopProcess(child as never);
