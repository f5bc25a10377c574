/**
 * Ways of serving the same app, alternated in one process under wrk: the server's CPU per request for
 * each, on the hit path, with the access log on at `info` (written to a discarding sink, so the lines
 * are built and serialised but no pipe is in the measurement). Run it pinned to the target core:
 *
 *   taskset -c 0 bun bench/serve-variants.ts [rounds=5] [seconds=3]
 *
 * Only one server is under load at a time, so the process's CPU over a wrk run is that server's.
 * Medians of the rounds are printed; the first round is a warm-up and dropped.
 */
import { createBunRouteHandler } from "elysia/adapter/bun/compose";
import { serveApp } from "../src/api/serve.ts";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/core/config/load.ts";
import { createLogger } from "../src/core/logger.ts";
import { createServices, type ReadyConfig } from "../src/services/container.ts";
import { BENCH_USER } from "./lib/bench-user.ts";
import { pinned, startJsonProcess, stopProcess } from "./lib/targets.ts";
import { wrk } from "./lib/wrk.ts";

const ROUNDS = Number(process.argv[2] ?? 5);
const SECONDS = Number(process.argv[3] ?? 3);
const { child, info } = await startJsonProcess(
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
const token = (await services.tokens.issue(BENCH_USER.id)).token;

type Handler = (request: Request) => Response | Promise<Response>;
/** Elysia's per-route handlers in Bun's own route table, as `app.listen` builds them (static paths). */
function nativeRoutes(app: ReturnType<typeof createApp>): Record<string, Record<string, Handler>> {
  const routes: Record<string, Record<string, Handler>> = {};
  for (const route of app.router.history) {
    if (/[:*]/.test(route.path) || !["GET", "POST"].includes(route.method)) continue;
    const methods = routes[route.path] ?? {};
    methods[route.method] = createBunRouteHandler(app as never, route as never) as Handler;
    routes[route.path] = methods;
  }
  return routes;
}
const server = (fetch: Handler, routes?: Record<string, Record<string, Handler>>) =>
  Bun.serve({ hostname: "127.0.0.1", port: 0, development: false, fetch, ...(routes ? { routes } : {}) });
const variants: Record<string, { url: string; stop(): void }> = {};
const add = (name: string, s: { port?: number | undefined; stop(force?: boolean): unknown }) => {
  variants[name] = { url: `http://127.0.0.1:${s.port}`, stop: () => void s.stop(true) };
};
add(
  "serveApp (URL check per request)",
  serveApp(createApp({ services, logger }), { hostname: "127.0.0.1", port: 0 }),
);
const bare = createApp({ services, logger });
bare.compile();
add(
  "app.fetch, no URL check",
  server((request) => bare.fetch(request)),
);
const native = createApp({ services, logger });
native.compile();
add(
  "Bun's route table, no URL check",
  server((request) => native.fetch(request), nativeRoutes(native)),
);

const cpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
const samples: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS + 1; round++) {
  for (const [name, variant] of Object.entries(variants)) {
    const before = cpu();
    const result = await wrk({
      url: `${variant.url}/search?query=same`,
      connections: 32,
      seconds: SECONDS,
      token,
      mode: "hit",
      core: 1,
    });
    const us = ((cpu() - before) / result.requests) * 1e6;
    if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx`);
    console.log(
      `round ${round} ${name}: ${Math.round(result.requests / result.seconds)} req/s, ${us.toFixed(2)} µs CPU/req`,
    );
    if (round > 0) samples[name] = [...(samples[name] ?? []), us];
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
for (const [name, xs] of Object.entries(samples))
  console.log(`${name}: median ${median(xs).toFixed(2)} µs CPU/req`);
for (const variant of Object.values(variants)) variant.stop();
services.close();
await stopProcess(child as never);
