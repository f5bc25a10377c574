import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createApp } from "../src/app.ts";
import { silentLogger } from "../src/core/logger.ts";
import { createServices, type ReadyConfig } from "../src/services/container.ts";
import { aggregatorAnswer, type FakeBackend, faults, startFakeBackend } from "./helpers/fake-backend.ts";
import { heldStream } from "./helpers/held-stream.ts";
import { DEMO } from "./helpers/http.ts";
import { readUntil } from "./helpers/lines.ts";
import { isEvent, readSse } from "./helpers/sse.ts";
import { configFor, startBackends, TEST_SECRET } from "./helpers/stack.ts";
import { tokenFor, tokensOf } from "./helpers/tokens.ts";

/** SIGTERM under a steady load of slow requests: every request that was accepted still gets its 200. */
let backends: Awaited<ReturnType<typeof startBackends>>;
let slowAggregator: FakeBackend;
const held = heldStream();
let heldAggregator: FakeBackend;
beforeAll(async () => {
  backends = await startBackends();
  slowAggregator = startFakeBackend(faults.slow(600, aggregatorAnswer()));
  heldAggregator = startFakeBackend(held.behave);
});
afterAll(async () => {
  await Promise.all([backends.close(), slowAggregator.stop(), heldAggregator.stop()]);
});

/** `gateway serve` (from source) in its own process, in front of the slow Aggregator (or `aggregator`). */
async function serveSlow(extra: string[], output: string[], aggregator: FakeBackend = slowAggregator) {
  const child = Bun.spawn(
    [
      process.execPath,
      join(import.meta.dir, "..", "cli", "main.ts"),
      "serve",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--users-url",
      backends.users.url,
      "--aggregator-url",
      aggregator.url,
      ...extra,
    ],
    { env: { ...process.env, GATEWAY_JWT_SECRET: TEST_SECRET }, stdout: "pipe", stderr: "pipe" },
  );
  const { url } = JSON.parse(await readUntil(child.stdout, /gateway listening/, output)) as { url: string };
  return { child, url };
}

describe("graceful shutdown", () => {
  test("requests in flight when SIGTERM arrives all complete; the process exits 0", async () => {
    const output: string[] = [];
    const { child, url } = await serveSlow(["--cache-ttl", "0"], output);
    const access_token = await tokenFor(
      tokensOf(configFor({ usersUrl: backends.users.url, aggregatorUrl: slowAggregator.url }) as ReadyConfig),
      DEMO.premium,
    );
    const searches = () =>
      slowAggregator.calls.filter((c) => new URL(c.url).pathname === "/v1/search").length;
    const before = searches();
    const inFlight = Array.from({ length: 30 }, (_, i) =>
      fetch(`${url}/search?query=drain-${i}`, { headers: { authorization: `Bearer ${access_token}` } }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
      ),
    );
    // SIGTERM once all 30 wait on the slow Aggregator: only then are they surely accepted.
    while (searches() - before < 30) await Bun.sleep(5);
    child.kill("SIGTERM");
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(await child.exited).toBe(0);
    const log = output.join("");
    expect(log).toContain('"msg":"shutting down"');
    expect(log).toContain('"msg":"stopped"');
    // Log lines leave in batches (cli/lib/process-io.ts): every answered request's line still got out.
    expect(log.match(/"msg":"request"[^\n]*"route":"\/search","status":200/g)?.length).toBe(30);
    // Gone now: new connections are refused.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  }, 20_000);

  test("an open stream that would outlive the drain gets a 503 error event, not a cut; the process exits 0 in time", async () => {
    const output: string[] = [];
    // The stream's deadline (60 s) is far past the drain's 5 s, and its Aggregator never finishes.
    const { child, url } = await serveSlow(
      ["--deadline-ms", "60000", "--drain-timeout-ms", "5000"],
      output,
      heldAggregator,
    );
    const access_token = await tokenFor(
      tokensOf(configFor({ usersUrl: backends.users.url, aggregatorUrl: heldAggregator.url }) as ReadyConfig),
      DEMO.premium,
    );
    const response = await fetch(`${url}/search/stream?query=sigterm`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    const items = readSse(response);
    expect((await items.next()).value).toMatchObject({ event: "source" });
    const closed = held.closed;
    child.kill("SIGTERM");
    const events = [];
    // A cut connection would throw here instead of ending.
    for await (const item of items) if (isEvent(item)) events.push(item);
    expect(events).toEqual([
      {
        event: "error",
        data: expect.objectContaining({ type: "/problems/shutting-down", status: 503, retry_after: 1 }),
      },
    ]);
    await held.closedAtLeast(closed + 1);
    expect(await child.exited).toBe(0);
    const log = output.join("");
    // Drained, not timed out: the stream no longer held the process to its drain timeout.
    expect(log).not.toContain("drain timeout");
    expect(log).toMatch(/"route":"\/search\/stream".*"stream_outcome":"shutdown","stream_events":2/);
    expect(log).not.toContain(access_token);
  }, 20_000);

  test("with a drain delay, /readyz answers 503 over the socket before the listener closes", async () => {
    const output: string[] = [];
    const { child, url } = await serveSlow(["--drain-delay-ms", "800"], output);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    child.kill("SIGTERM");
    // Real time is the subject: the drain delay is a wall-clock window in another process.
    await Bun.sleep(200);
    const during = await fetch(`${url}/readyz`, { headers: { connection: "close" } });
    expect(during.status).toBe(503);
    expect(((await during.json()) as { status: string }).status).toBe("draining");
    expect(await child.exited).toBe(0);
  }, 20_000);

  test("once draining, /readyz answers 503 so load balancers stop sending traffic", async () => {
    const config = configFor({
      usersUrl: backends.users.url,
      aggregatorUrl: slowAggregator.url,
    }) as ReadyConfig;
    const services = createServices(config, silentLogger);
    const lifecycle = { draining: false };
    const app = createApp({ services, logger: silentLogger, lifecycle });
    const before = await app.handle(new Request("http://localhost/readyz"));
    expect(before.status).toBe(200);
    lifecycle.draining = true;
    const during = await app.handle(new Request("http://localhost/readyz"));
    expect(during.status).toBe(503);
    expect(((await during.json()) as { status: string }).status).toBe("draining");
    services.close();
  });
});
