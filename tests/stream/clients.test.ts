import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { treaty } from "@elysiajs/eden";
import type { App } from "../../src/client.ts";
import type { SearchStreamEvent } from "../../src/models/search-stream.ts";
import { createAggregatorApp } from "../../src/reference/aggregator/index.ts";
import { listen, type RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import type { RunningGateway } from "../../src/server.ts";
import type { Services } from "../../src/services/container.ts";
import { run, tempHome } from "../helpers/cli.ts";
import { gatedMarketplaces } from "../helpers/gated-marketplaces.ts";
import { serveGateway } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/** The stream's clients: the typed Eden client and `gateway search --watch`, against a real gateway. */
const shops = gatedMarketplaces();
let users: RunningService;
let aggregator: RunningService;
let target: { gateway: RunningGateway; services: Services };
const homes: string[] = [];

beforeAll(async () => {
  users = await startUsersService({ port: 0 });
  aggregator = await listen(createAggregatorApp({ marketplaces: shops.marketplaces }), { port: 0 });
  target = serveGateway({ users, aggregator }, { cacheTtl: 0 }, [], "info");
});
afterEach(() => shops.close());
afterAll(async () => {
  shops.open();
  await target.gateway.stop(100);
  target.services.close();
  await Promise.all([users.stop(), aggregator.stop()]);
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe("the Eden client reads the stream", () => {
  test("treaty<App>: search.stream.get yields {event, data} as they arrive, done last", async () => {
    const api = treaty<App>(target.gateway.url, { parseDate: false });
    const token = await tokenFor(target.services, { email: "premium@example.com" });
    const { data, error, response } = await api.search.stream.get({
      query: { query: "iphone", categories: [], limit: 3 },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(error).toBeNull();
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const events: SearchStreamEvent[] = [];
    for await (const event of data as unknown as AsyncIterable<SearchStreamEvent>) {
      events.push(event);
      // Let the slow shop answer only once the first event reached the client.
      if (events.length === 1) shops.open();
    }
    expect(events.map((e) => e.event)).toEqual(["source", "source", "source", "done"]);
    expect(events[0]?.event === "source" && events[0].data.name).not.toBe(shops.slow);
    const done = events[3];
    expect(done?.event === "done" && done.data.limit).toBe(3);
  });
});

describe("gateway search --watch", () => {
  test("prints each marketplace's offers as it answers, then the merged table", async () => {
    const home = tempHome();
    homes.push(home);
    const env = { XDG_CONFIG_HOME: home };
    const url = target.gateway.url;
    const login = await run(["login", "--url", url, "--email", "premium@example.com", "--password-stdin"], {
      env,
      stdin: "premium-pass\n",
    });
    expect(login.code).toBe(0);
    let printed = "";
    const watched = await run(["search", "iphone", "--watch", "--url", url, "-n", "3"], {
      env,
      onStdout: (text) => {
        printed += text;
        // The slow shop answers only after the CLI printed a faster one: a CLI that waited would hang.
        if (/^(shopnow|megamart): /m.test(printed)) shops.open();
      },
    });
    expect(watched.stderr).not.toContain("error");
    expect(watched.code).toBe(0);
    const lines = watched.stdout.split("\n");
    const heads = lines.filter((line) => /^\w+: (\d+ offers|failed) \(\d+ ms\)$/.test(line));
    expect(heads).toHaveLength(3);
    expect(heads[2]).toStartWith(`${shops.slow}: `);
    const merged = lines.indexOf("All marketplaces, merged:");
    expect(merged).toBeGreaterThan(lines.indexOf(heads[2] as string));
    expect(lines[merged + 1]).toMatch(/^TITLE\s+PRICE\s+SOURCE$/);
  });

  test("--watch --json: one JSON line per event, done last", async () => {
    shops.open();
    const home = tempHome();
    homes.push(home);
    const env = { XDG_CONFIG_HOME: home };
    const url = target.gateway.url;
    await run(["login", "--url", url, "--email", "free@example.com", "--password-stdin"], {
      env,
      stdin: "free-pass\n",
    });
    const watched = await run(["search", "galaxy", "--watch", "--json", "--url", url], { env });
    expect(watched.code).toBe(0);
    const events = watched.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { event: string });
    expect(events.map((e) => e.event)).toEqual(["source", "source", "source", "done"]);
  });

  test("in-process (no gateway URL): the same output from the services themselves", async () => {
    const home = tempHome();
    homes.push(home);
    const watched = await run(["search", "iphone", "--watch", "-n", "2"], { env: { XDG_CONFIG_HOME: home } });
    expect(watched.code).toBe(0);
    expect(watched.stdout.match(/^\w+: \d+ offers \(\d+ ms\)$/gm)).toHaveLength(3);
    expect(watched.stdout).toContain("All marketplaces, merged:");
  });
});
