import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ServerCredentials } from "@grpc/grpc-js";
import { tempHome } from "./helpers/cli.ts";
import { grpcFaults, startFakeGrpcAggregator } from "./helpers/fake-grpc-aggregator.ts";
import { readUntil } from "./helpers/lines.ts";
import { rawRequest } from "./helpers/raw-http.ts";
import { makeLocalhostCertificate } from "./helpers/tls.ts";

/**
 * The compiled executable, driven as an operator would: built once here (the same command as
 * `npm run build`), started as a child process, talked to over HTTP, stopped with SIGTERM.
 */
const root = join(import.meta.dir, "..");
// One directory per run: copies of the suite running at once must not overwrite a binary another runs.
const outDir = join(root, "test-output", `bin-${process.pid}`);
const binary = join(outDir, "gateway");
const home = tempHome();

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  const build = Bun.spawnSync(
    ["bun", "build", "--compile", "--minify", "--bytecode", "cli/main.ts", "--outfile", binary],
    {
      cwd: root,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH}` },
    },
  );
  if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
}, 120_000);
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(outDir, { recursive: true, force: true });
});

// Run from a directory with no sources beside it, so nothing can be read from the checkout at run time.
const cwd = home;
const env = { PATH: process.env.PATH ?? "", XDG_CONFIG_HOME: home, HOME: home };

/** Logs in as the demo premium user and searches, as a client of the gateway at `url` would. */
async function searchThrough(url: string, query: string): Promise<{ title: string }[]> {
  const login = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
  });
  expect(login.status).toBe(200);
  const { access_token } = (await login.json()) as { access_token: string };
  const search = await fetch(`${url}/search?query=${encodeURIComponent(query)}`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  expect(search.status).toBe(200);
  return ((await search.json()) as { results: { title: string }[] }).results;
}

function start(args: string[]) {
  return Bun.spawn([binary, ...args], { cwd, env, stdout: "pipe", stderr: "pipe" });
}

describe("compiled binary", () => {
  test("--version and --help", () => {
    const version = Bun.spawnSync([binary, "--version"], { cwd, env });
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Bun.spawnSync([binary, "serve", "--help"], { cwd, env }).stdout.toString()).toContain(
      "GATEWAY_PORT",
    );
  });

  test("serve --demo: docs from embedded assets, login, search, SIGTERM exits 0", async () => {
    const child = Bun.spawn(
      [binary, "serve", "--demo", "--demo-latency", "0", "--port", "0", "--host", "127.0.0.1"],
      {
        cwd,
        env,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    try {
      const line = await readUntil(child.stdout, /gateway listening/);
      const { url } = JSON.parse(line) as { url: string };
      const docs = await fetch(`${url}/docs`);
      expect(docs.status).toBe(200);
      const html = await docs.text();
      expect(html).toContain("/docs/assets/swagger-ui-bundle.js");
      expect(html).not.toContain("unpkg.com");
      const bundle = await fetch(`${url}/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
      const spec = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/login", "/profile", "/search"]));

      const login = await fetch(`${url}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
      });
      expect(login.status).toBe(200);
      const { access_token } = (await login.json()) as { access_token: string };
      const search = await fetch(`${url}/search?query=iphone`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(search.status).toBe(200);
      expect(((await search.json()) as { results: unknown[] }).results.length).toBeGreaterThan(0);

      // What fetch cannot send: the compiled build answers it too with problem+json, never Bun's page.
      for (const [request, status] of [
        ["GET /x HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n", 400],
        ["GET /abcd/metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404],
        ["GET /x HTTP/1.0\r\n\r\n", 404],
      ] as const) {
        const answer = await rawRequest(url, request);
        expect(answer.status).toBe(status);
        expect(answer.headers["content-type"]).toBe("application/problem+json");
        expect(answer.text.toLowerCase()).not.toContain("<html");
        expect(answer.text).not.toContain(root);
      }
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("gRPC: reference aggregator --grpc-port, and serve --aggregator-url grpc:// in front of it", async () => {
    const aggregator = start(["reference", "aggregator", "--port", "0", "--grpc-port", "0"]);
    const users = start(["reference", "users", "--port", "0"]);
    const children = [aggregator, users];
    try {
      const listening = JSON.parse(await readUntil(aggregator.stdout, /reference aggregator listening/)) as {
        url: string;
        grpc_url: string;
      };
      expect(listening.grpc_url).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
      expect(listening.url).toStartWith("http://127.0.0.1:");
      const usersUrl = (
        JSON.parse(await readUntil(users.stdout, /reference users listening/)) as { url: string }
      ).url;
      const gateway = start([
        "serve",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--users-url",
        usersUrl,
        "--aggregator-url",
        listening.grpc_url,
        "--jwt-secret",
        "binary-test-secret-that-is-at-least-32-bytes",
      ]);
      children.push(gateway);
      const line = JSON.parse(await readUntil(gateway.stdout, /gateway listening/)) as {
        url: string;
        aggregator_url: string;
      };
      expect(line.aggregator_url).toBe(listening.grpc_url);
      const results = await searchThrough(line.url, "iphone");
      expect(results.length).toBeGreaterThan(0);
      expect(results[0]?.title).toContain("iPhone");
      const ready = await fetch(`${line.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      for (const child of children) child.kill("SIGTERM");
    }
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0]);
  }, 30_000);

  test("serve --demo --demo-transport grpc: the demo talks gRPC to its reference Aggregator", async () => {
    const child = start([
      "serve",
      "--demo",
      "--demo-latency",
      "0",
      "--demo-transport",
      "grpc",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
    ]);
    try {
      const line = JSON.parse(await readUntil(child.stdout, /gateway listening/)) as {
        url: string;
        aggregator_url: string;
      };
      expect(line.aggregator_url).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
      const results = await searchThrough(line.url, "macbook");
      expect(results[0]?.title).toContain("MacBook");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("grpcs://: the CA named by GRPC_DEFAULT_SSL_ROOTS_FILE_PATH is trusted", async () => {
    const tls = makeLocalhostCertificate();
    const credentials = ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }]);
    const aggregator = await startFakeGrpcAggregator(grpcFaults.answer(), credentials);
    const child = Bun.spawn(
      [
        binary,
        "serve",
        "--demo",
        "--port",
        "0",
        "--host",
        "127.0.0.1",
        "--aggregator-url",
        aggregator.url.replace("127.0.0.1", "localhost"),
      ],
      {
        cwd,
        env: { ...env, GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: tls.certPath },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    try {
      const { url } = JSON.parse(await readUntil(child.stdout, /gateway listening/)) as { url: string };
      const results = await searchThrough(url, "anything");
      expect(results[0]?.title).toBe("Product 1");
      expect(aggregator.calls[0]?.metadata["x-request-id"]).toBeString();
    } finally {
      child.kill("SIGTERM");
      await aggregator.stop();
      tls.remove();
    }
    expect(await child.exited).toBe(0);
  }, 30_000);

  test("one-off search on a machine with nothing configured", () => {
    const result = Bun.spawnSync([binary, "search", "iphone", "--limit", "3"], { cwd, env });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toContain("iPhone");
  });

  test("serve with nothing configured exits 2 with one line", () => {
    const result = Bun.spawnSync([binary, "serve"], { cwd, env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.toString().trim()).toBe(
      "gateway: config: set GATEWAY_USERS_URL (--users-url), GATEWAY_AGGREGATOR_URL (--aggregator-url) and " +
        "GATEWAY_JWT_KEYS (--jwt-keys), a key ring, or run with --demo to use the built-in reference backends",
    );
  });
});
