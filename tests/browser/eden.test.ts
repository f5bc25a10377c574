import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Page } from "playwright-core";
import {
  type Browser,
  chromiumMissing,
  launchBrowser,
  type RunningGateway,
  startGateway,
} from "../helpers/browser.ts";

// A type import also puts the example into the root `tsc --noEmit -p .` (tsconfig's include has no examples/).
type WebClient = typeof import("../../examples/web-client/client.ts");

/**
 * The typed front-end client (examples/web-client, Eden Treaty over the server's own `App` type): it
 * type-checks, a wrong call does not, and it works against a demo gateway, from Bun and from a browser.
 */
const root = join(import.meta.dir, "..", "..");
const example = join(root, "examples", "web-client", "client.ts");
const tsc = join(root, "node_modules", ".bin", "tsc");

/** Type-checks `source` with the project's compiler options, beside the example; errors by line. */
async function typeCheck(name: string, source: string): Promise<{ code: number; output: string }> {
  // Inside the checkout (ignored by git), so @elysiajs/eden, elysia and bun-types resolve as for the example.
  const dir = join(root, "test-output", `eden-tsc-${name}-${crypto.randomUUID()}`);
  mkdirSync(dir, { recursive: true });
  try {
    const tsconfig = {
      extends: relative(dir, join(root, "tsconfig.json")),
      include: ["use.ts", relative(dir, join(root, "src", "assets.d.ts"))],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    writeFileSync(join(dir, "use.ts"), source);
    const child = Bun.spawn([tsc, "--noEmit", "--pretty", "false", "-p", dir], { cwd: dir, stdout: "pipe" });
    const output = await new Response(child.stdout).text();
    return { code: await child.exited, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const IMPORTS = `import { treaty } from "@elysiajs/eden";
import type { App } from "../../src/client.ts";
import { connect, login, search } from "../../examples/web-client/client.ts";
const api = treaty<App>("http://127.0.0.1:8080");
const token = await login(connect("http://127.0.0.1:8080"), "premium@example.com", "premium-pass");
`;

describe("typed client (Eden Treaty): types", () => {
  test("the example and a correct use type-check", async () => {
    const { code, output } = await typeCheck(
      "ok",
      `${IMPORTS}
const answer = await search(connect("http://127.0.0.1:8080"), token, "iphone", 3);
const title: string | undefined = answer.results[0]?.title;
const price: number | undefined = answer.results[0]?.price;
const limited: number = answer.limit;
const logged = await api.login.post({ email: "free@example.com", password: "free-pass" });
const expires: number | undefined = logged.data?.expires_in;
const found = await api.search.get({ query: { query: "iphone", categories: ["phones"], limit: 3 } });
const cached: boolean | undefined = found.data?.cached;
console.log(title, price, limited, expires, cached);
`,
    );
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  test("wrong calls do not type-check, each where it is wrong", async () => {
    const wrong = [
      `await api.search.get({ query: { q: "iphone" } });`, // the parameter is "query"
      `await api.search.get({ query: { query: "iphone", limit: "3" } });`, // limit is a number
      `await api.login.post({ email: "premium@example.com" });`, // password is required
      `await api.serach.get({ query: { query: "iphone" } });`, // no such route
      `await api.profile.post({});`, // GET only
      `const n: number = (await search(connect(""), token, "x")).results[0]?.title ?? 0;`, // title is a string
      `await search(connect(""), token, "x", "5");`, // the example's own signature
    ];
    const { code, output } = await typeCheck("wrong", `${IMPORTS}${wrong.join("\n")}\n`);
    expect(code).not.toBe(0);
    const first = IMPORTS.split("\n").length;
    const linesWithErrors = new Set(
      [...output.matchAll(/^use\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1])),
    );
    // Every wrong line fails, nothing else does (no missing module, no error in the example itself).
    expect({ lines: [...linesWithErrors].sort((a, b) => a - b), output }).toEqual({
      lines: wrong.map((_, i) => first + i),
      output: expect.any(String),
    });
    expect(output).not.toContain("TS2307"); // cannot find module
    expect(output).not.toMatch(/^(?!use\.ts)\S+\(\d+,\d+\): error/m);
  }, 60_000);
});

describe("typed client (Eden Treaty): against a demo gateway", () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => expect((await gateway?.stop())?.code).toBe(0));

  async function runExample(...args: string[]) {
    const child = Bun.spawn([process.execPath, example, ...args], {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "" },
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    return { code, stdout, stderr };
  }

  test("bun examples/web-client/client.ts <url> logs in and prints the results", async () => {
    const result = await runExample(gateway.url);
    expect(result).toEqual({ code: 0, stdout: expect.any(String), stderr: "" });
    const [heading, ...offers] = result.stdout.trimEnd().split("\n");
    expect(heading).toBe('5 results for "iphone" (limit 5):');
    expect(offers).toHaveLength(5);
    for (const offer of offers) expect(offer).toMatch(/^ *\d+\.\d\d [A-Z]{3} {2}.+ {2}\([a-z]+\)$/);
    expect(offers.some((o) => o.includes("iPhone"))).toBe(true);
    // It really went through this gateway: one login and one search by the premium user.
    const requests = gateway
      .output()
      .split("\n")
      .filter((l) => l.includes('"msg":"request"'))
      .map((l) => JSON.parse(l) as { method: string; route: string; status: number; plan?: string });
    expect(requests.filter((r) => r.route === "/search")).toEqual([
      expect.objectContaining({ method: "GET", status: 200, plan: "premium" }),
    ]);
  }, 30_000);

  test("a problem answer is a typed error: exit 1 with the problem's title", async () => {
    const result = await runExample(gateway.url, " ");
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^web-client: 422 Invalid input: /);
  }, 30_000);
});

describe.skipIf(chromiumMissing)(
  "typed client (Eden Treaty): bundled for a browser on another origin",
  () => {
    let gateway: RunningGateway;
    let app: ReturnType<typeof Bun.serve>;
    let browser: Browser;
    let page: Page;
    let bundleSize = 0;

    beforeAll(async () => {
      const built = await Bun.build({ entrypoints: [example], target: "browser", format: "esm" });
      if (!built.success) throw new Error(`bundling the example failed: ${built.logs.join("\n")}`);
      const output = built.outputs[0];
      if (!output) throw new Error("bundling the example produced nothing");
      const bundle = await output.text();
      bundleSize = bundle.length;
      app = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        routes: {
          "/client.js": new Response(bundle, { headers: { "content-type": "text/javascript" } }),
          "/": new Response(
            `<!doctype html><title>web client</title><script type="module">
import * as client from "/client.js"; window.webClient = client; document.title = "ready";
</script>`,
            { headers: { "content-type": "text/html; charset=utf-8" } },
          ),
        },
      });
      [gateway, browser] = await Promise.all([
        startGateway(["--cors-origins", `http://127.0.0.1:${app.port}`]),
        launchBrowser(),
      ]);
      page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${app.port}/`);
      await page.waitForFunction(
        () => (globalThis as unknown as { document: { title: string } }).document.title === "ready",
      );
    });
    afterAll(async () => {
      await browser?.close();
      app?.stop(true);
      expect((await gateway?.stop())?.code).toBe(0);
    });

    test("the bundle holds the client only (the App import is type-only)", () => {
      expect(bundleSize).toBeGreaterThan(1_000);
      expect(bundleSize).toBeLessThan(100_000);
    });

    test("login and search from the page, through CORS", async () => {
      const lines = await page.evaluate(async (baseUrl) => {
        const { connect, login, search, formatResults } = (globalThis as unknown as { webClient: WebClient })
          .webClient;
        const api = connect(baseUrl);
        const token = await login(api, "premium@example.com", "premium-pass");
        return formatResults(await search(api, token, "iphone", 3));
      }, gateway.url);
      expect(lines).toHaveLength(3);
      expect(lines.some((l) => l.includes("iPhone"))).toBe(true);
    }, 30_000);

    test("a wrong password is the gateway's 401 problem, thrown as GatewayError", async () => {
      const failure = await page.evaluate(async (baseUrl) => {
        const { connect, login, GatewayError } = (globalThis as unknown as { webClient: WebClient })
          .webClient;
        try {
          await login(connect(baseUrl), "premium@example.com", "wrong-password");
          return null;
        } catch (error) {
          return error instanceof GatewayError
            ? { status: error.status, title: error.problem.title }
            : String(error);
        }
      }, gateway.url);
      expect(failure).toEqual({ status: 401, title: "Invalid credentials" });
    }, 30_000);
  },
);
