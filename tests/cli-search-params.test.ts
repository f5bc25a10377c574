import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { RunningGateway } from "../src/server.ts";
import { run, tempHome } from "./helpers/cli.ts";
import { serveGateway, startBackends } from "./helpers/stack.ts";

// `gateway search` with the search parameters, in-process (demo backends) and against a running gateway.
const home = tempHome();
const env = { XDG_CONFIG_HOME: home };
let backends: Awaited<ReturnType<typeof startBackends>>;
let gateway: RunningGateway;
let remoteHome: string;
beforeAll(async () => {
  backends = await startBackends();
  gateway = serveGateway(backends, {}, [], "info").gateway;
  remoteHome = tempHome();
  const login = await run(
    ["login", "--url", gateway.url, "--email", "premium@example.com", "--password-stdin"],
    { env: { XDG_CONFIG_HOME: remoteHome }, stdin: "premium-pass\n" },
  );
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await gateway.stop(100);
  await backends.close();
  rmSync(home, { recursive: true, force: true });
  rmSync(remoteHome, { recursive: true, force: true });
});

type Answer = {
  results: { id: string; price: number; currency: string }[];
  page: number;
  next_cursor: string | null;
};
const prices = (answer: Answer) => answer.results.map((p) => p.price);

describe("gateway search --sort --max-price --currency", () => {
  for (const where of ["in-process", "remote"] as const) {
    test(`${where}: prices ascending, none above the maximum, all in the currency`, async () => {
      const runEnv = where === "in-process" ? env : { XDG_CONFIG_HOME: remoteHome };
      const result = await run(
        ["search", "iphone", "--sort", "price_asc", "--max-price", "500", "--currency", "usd", "--json"],
        { env: runEnv },
      );
      expect(result.code).toBe(0);
      const answer = JSON.parse(result.stdout) as Answer;
      expect(answer.results.length).toBeGreaterThan(1);
      expect(prices(answer)).toEqual([...prices(answer)].sort((a, b) => a - b));
      for (const p of answer.results) {
        expect(p.price).toBeLessThanOrEqual(500);
        expect(p.currency).toBe("USD");
      }
    });
  }

  test("a table, with the rate date on stderr", async () => {
    const result = await run(["search", "iphone", "--sort", "price_desc", "--currency", "EUR", "-n", "3"], {
      env,
    });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^TITLE\s+PRICE\s+SOURCE$/);
    expect(result.stdout).toContain(" EUR");
    expect(result.stderr).toContain("rates of 2026-11-30");
  });

  test("a wrong --sort or --max-price is a usage error (2)", async () => {
    expect((await run(["search", "iphone", "--sort", "cheapest"], { env })).code).toBe(2);
    expect((await run(["search", "iphone", "--max-price", "lots"], { env })).code).toBe(2);
    expect((await run(["search", "iphone", "--page", "2", "--all"], { env })).code).toBe(2);
    // In-process there is no route schema: the service's own checks refuse these.
    const source = await run(["search", "iphone", "--sources", "Shop Now"], { env });
    expect(source.code).toBe(2);
    expect(source.stderr).toContain("sources");
    const currency = await run(["search", "iphone", "--currency", "XYZ"], { env });
    expect(currency.code).toBe(2);
    expect(currency.stderr).toContain("currency");
    const bounds = await run(["search", "iphone", "--min-price", "9", "--max-price", "1"], { env });
    expect(bounds.code).toBe(2);
    expect(bounds.stderr).toContain("min_price");
  });
});

describe("gateway search --page and --all follow cursors", () => {
  for (const where of ["in-process", "remote"] as const) {
    test(`${where}: --page 3 is the third slice of the full list, --all is the full list`, async () => {
      const runEnv = where === "in-process" ? env : { XDG_CONFIG_HOME: remoteHome };
      const args = ["search", "pixel", "--sort", "price_asc", "--sources", "shopnow,megamart", "-n", "4"];
      const all = await run([...args, "--all", "--json"], { env: runEnv });
      expect(all.code).toBe(0);
      const pages = JSON.parse(all.stdout) as Answer[];
      expect(pages.length).toBeGreaterThan(3);
      expect(pages.at(-1)?.next_cursor).toBeNull();
      const ids = pages.flatMap((p) => p.results.map((r) => r.id));
      expect(new Set(ids).size).toBe(ids.length);
      const third = await run([...args, "--page", "3", "--json"], { env: runEnv });
      expect(third.code).toBe(0);
      const answer = JSON.parse(third.stdout) as Answer;
      expect(answer.page).toBe(3);
      expect(answer.results.map((r) => r.id)).toEqual(ids.slice(8, 12));
    });
  }

  test("--page past the last page fails saying how many there are", async () => {
    const result = await run(["search", "pixel", "-n", "100", "--page", "9"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("there is no page 9");
  });

  test("--all prints every page's offers in one table", async () => {
    const one = await run(["search", "galaxy", "--sources", "megamart", "-n", "100", "--json"], { env });
    const total = (JSON.parse(one.stdout) as Answer).results.length;
    const result = await run(["search", "galaxy", "--sources", "megamart", "-n", "5", "--all"], { env });
    expect(result.code).toBe(0);
    const rows = result.stdout.split("\n").filter((line) => / megamart\s*$/.test(line));
    expect(rows.length).toBe(total);
    expect(result.stderr).toContain(`${total} results`);
  });
});

test("gateway profile names the plan's page depth", async () => {
  const result = await run(["profile"], { env });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^limits: +up to 100 results and 10 categories per search, 50 pages deep$/m);
});

test("--watch --page 2 streams page 2: source lines, then done with page 2", async () => {
  const args = ["search", "pixel", "--sort", "price_asc", "-n", "3"];
  const result = await run([...args, "--page", "2", "--watch", "--json"], { env });
  expect(result.code).toBe(0);
  const lines = result.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { event: string; data: Answer });
  expect(lines.at(-1)?.event).toBe("done");
  expect(lines.slice(0, -1).every((line) => line.event === "source")).toBe(true);
  expect(lines.at(-1)?.data.page).toBe(2);
  const plain = JSON.parse((await run([...args, "--page", "2", "--json"], { env })).stdout) as Answer;
  expect(lines.at(-1)?.data.results).toEqual(plain.results);
  expect((await run([...args, "--all", "--watch"], { env })).code).toBe(2);
});
