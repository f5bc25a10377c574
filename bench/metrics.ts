/**
 * What metrics cost on the hot path: the updates one search request makes (request counter, duration
 * histogram, two upstream attempts, a cache result), timed over many iterations, next to the time of a
 * whole in-process request (bench/limiter.ts reports that). Also a full scrape's cost.
 * Usage: bun bench/metrics.ts
 */
import { GatewayMetrics } from "../src/core/metrics/gateway-metrics.ts";

const metrics = new GatewayMetrics("bench");
const users = metrics.observer("users");
const aggregator = metrics.observer("aggregator");
const routes = ["/search", "/profile", "/login"];
const ITERATIONS = 1_000_000;

function perRequest(i: number): void {
  const route = routes[i % 3] as string;
  metrics.inFlight += 1;
  users(undefined, 0.0012);
  aggregator(undefined, 0.0153);
  metrics.requests.inc(["GET", route, "200"]);
  metrics.requestDuration.observe([route], 0.018);
  metrics.cache.inc(["miss"]);
  metrics.inFlight -= 1;
}

for (let i = 0; i < 100_000; i++) perRequest(i); // warm-up
const rounds: number[] = [];
for (let r = 0; r < 5; r++) {
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i++) perRequest(i);
  rounds.push(((performance.now() - started) * 1e6) / ITERATIONS);
}
rounds.sort((a, b) => a - b);
const scrapeStarted = performance.now();
const text = metrics.render();
const scrapeMs = performance.now() - scrapeStarted;
console.log(`metrics updates per request: median ${rounds[2]?.toFixed(0)} ns over 5 rounds of ${ITERATIONS}`);
console.log(`one scrape: ${scrapeMs.toFixed(2)} ms for ${text.split("\n").length} lines`);
