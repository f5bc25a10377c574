/**
 * Fast backends that follow the contracts, with answers prebuilt so they cost almost nothing: the Users
 * service (one premium user) and the Aggregator (20 products). `--latency-ms N` delays every answer.
 * Prints one JSON line with both URLs. Run: bun bench/lib/backends.ts [--latency-ms 20]
 */
const latencyIndex = process.argv.indexOf("--latency-ms");
const latency = latencyIndex > 0 ? Number(process.argv[latencyIndex + 1]) : 0;

import { BENCH_USER } from "./bench-user.ts";

const products = Array.from({ length: 20 }, (_, i) => ({
  id: `shop:${i}`,
  title: `Benchmark Phone ${i}, 128GB`,
  price: 100 + i,
  currency: "USD",
  url: `https://shop.example/p/${i}`,
  source: "shop",
  rating: 4.5,
}));
const searchAnswer = JSON.stringify({
  request_id: "bench",
  results: products,
  sources: [{ name: "shop", ok: true, took_ms: 1 }],
});
const userAnswer = JSON.stringify(BENCH_USER);
const json = { "content-type": "application/json" };
const delay = latency > 0 ? () => Bun.sleep(latency) : undefined;

function answer(body: string): Response | Promise<Response> {
  if (!delay) return new Response(body, { headers: json });
  return delay().then(() => new Response(body, { headers: json }));
}

const users = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: (request) =>
    new URL(request.url).pathname === "/v1/credentials/verify"
      ? answer(JSON.stringify({ user: BENCH_USER }))
      : answer(userAnswer),
});
const aggregator = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    if (request.method === "POST") await request.arrayBuffer();
    return new URL(request.url).pathname === "/healthz" ? answer('{"status":"ok"}') : answer(searchAnswer);
  },
});
console.log(
  JSON.stringify({
    users: `http://127.0.0.1:${users.port}`,
    aggregator: `http://127.0.0.1:${aggregator.port}`,
  }),
);
