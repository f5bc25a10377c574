import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run, tempHome } from "./helpers/cli.ts";
import { startFakeBackend } from "./helpers/fake-backend.ts";

const home = tempHome();
afterAll(() => rmSync(home, { recursive: true, force: true }));
// No backend URLs: the one-off commands start the reference backends themselves.
const env = { XDG_CONFIG_HOME: home };
const credentials = join(home, "gateway", "credentials.json");
/** What every one-off command says first when no gateway URL is known (the issue asks for the line). */
const IN_PROCESS =
  "(no gateway URL: using the in-process reference backends (demo); --url or GATEWAY_URL names a running gateway)";

describe("gateway (usage)", () => {
  test("--help and --version exit 0", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["serve", "login", "profile", "search", "reference"])
      expect(help.stdout).toContain(command);
    const version = await run(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  test("every command has --help; serve's lists every env var", async () => {
    for (const argv of [
      ["serve"],
      ["login"],
      ["profile"],
      ["search"],
      ["reference"],
      ["reference", "users"],
    ]) {
      const result = await run([...argv, "--help"]);
      expect({ argv, code: result.code }).toEqual({ argv, code: 0 });
    }
    const serve = await run(["serve", "--help"]);
    for (const name of [
      "GATEWAY_PORT",
      "GATEWAY_USERS_URL",
      "GATEWAY_JWT_SECRET",
      "GATEWAY_CONFIG",
      "--demo",
    ]) {
      expect(serve.stdout).toContain(name);
    }
  });

  test("wrong usage exits 2 with a short message", async () => {
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command");
    expect((await run(["search", "--limit", "lots", "iphone"], { env })).code).toBe(2);
    expect((await run(["search"], { env })).code).toBe(2);
  });

  test("serve without backends or --demo: exit 2, one line per thing to set, no stack trace", async () => {
    const result = await run(["serve"], { env: { GATEWAY_JWT_SECRET: "x".repeat(32) } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "gateway: config: set GATEWAY_USERS_URL (--users-url) and GATEWAY_AGGREGATOR_URL (--aggregator-url), or run with --demo to use the built-in reference backends",
    ]);
    const bad = await run(["serve", "--port", "99999", "--jwt-secret", "short"], { env: {} });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--port: expected an integer from 0 to 65535");
    expect(bad.stderr).toContain("--jwt-secret: expected a secret of at least 32 bytes");
    expect(bad.stderr).not.toContain('short"');
    expect(bad.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  test("serve with unsafe settings: exit 2, one line each, before anything listens", async () => {
    const cases: [string[], string][] = [
      [
        ["--trust-proxy", "0.0.0.0/0"],
        "gateway: config: GATEWAY_TRUST_PROXY: 0.0.0.0/0 contains public addresses, so any client there could forge X-Forwarded-For; name only your proxies, or set GATEWAY_TRUST_PROXY_UNSAFE=true (--trust-proxy-unsafe) if they really are public",
      ],
      [
        ["--trust-proxy", "fe80::1%eth0"],
        'gateway: config: --trust-proxy: expected a comma-separated list of IP addresses or CIDRs ("fe80::1%eth0" is not an IP address or CIDR), got "fe80::1%eth0"',
      ],
      [
        ["--cors-origins", "*", "--cors-credentials"],
        'gateway: config: GATEWAY_CORS_ORIGINS=* with GATEWAY_CORS_CREDENTIALS=true would let every site, the "null" origin of sandboxed frames included, make credentialed calls; list the origins, or turn credentials off',
      ],
      [
        ["--metrics-token", "short-token"],
        "gateway: config: --metrics-token: expected a secret of at least 16 bytes (e.g. `openssl rand -base64 16`)",
      ],
    ];
    for (const [flags, line] of cases) {
      // Should it start after all, stop it, so that the assertion below fails rather than the test hanging.
      const started = new AbortController();
      const result = await run(["serve", "--demo", "--port", "0", "--host", "127.0.0.1", ...flags], {
        env,
        signal: started.signal,
        onStdout: (text) => text.includes("gateway listening") && started.abort(),
      });
      expect({ flags, code: result.code, stderr: result.stderr.trim().split("\n") }).toEqual({
        flags,
        code: 2,
        stderr: [line],
      });
      expect(result.stdout).not.toContain("gateway listening");
    }
  });
});

describe("one-off commands in demo mode", () => {
  test("search works on a fresh checkout, as the demo premium user", async () => {
    rmSync(credentials, { force: true });
    const result = await run(["search", "iphone"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toMatch(/^TITLE\s+PRICE\s+SOURCE$/);
    expect(result.stdout).toContain("iPhone");
    expect(result.stderr).toContain("premium@example.com");
  });

  test("login with --password-stdin saves a 0600 token that profile and search then use", async () => {
    const login = await run(["login", "--email", "free@example.com", "--password-stdin"], {
      env,
      stdin: "free-pass\n",
    });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain("free@example.com (free plan)");
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, "gateway")).mode & 0o777).toBe(0o700);

    const profile = await run(["profile", "--json"], { env });
    expect(profile.code).toBe(0);
    expect(JSON.parse(profile.stdout)).toMatchObject({ email: "free@example.com", plan: "free" });

    const search = await run(["search", "macbook", "--json", "--limit", "50"], { env });
    expect(search.code).toBe(0);
    const answer = JSON.parse(search.stdout);
    expect(answer.limit).toBe(20);
    expect(answer.results.length).toBeGreaterThan(0);

    const tooMany = await run(["search", "apple", "-c", "phones", "-c", "laptops", "-c", "tablets"], { env });
    expect(tooMany.code).toBe(4);
    expect(tooMany.stderr.trim().split("\n")).toEqual([
      IN_PROCESS,
      "gateway: Your free plan allows at most 2 categories per search; 3 were given.",
    ]);
  });

  test("interactive login asks for the email, then the password without echo", async () => {
    const prompts: { question: string; hidden: boolean }[] = [];
    const result = await run(["login"], { env, answers: ["premium@example.com", "premium-pass"], prompts });
    expect(result.code).toBe(0);
    expect(prompts).toEqual([
      { question: "Email: ", hidden: false },
      { question: "Password: ", hidden: true },
    ]);
    expect(JSON.parse(await Bun.file(credentials).text()).email).toBe("premium@example.com");
    await run(["login", "--email", "free@example.com", "--password-stdin"], { env, stdin: "free-pass" });
  });

  test("a wrong password exits 3 and keeps the saved token", async () => {
    const before = await Bun.file(credentials).text();
    const result = await run(["login", "--email", "free@example.com", "--password-stdin"], {
      env,
      stdin: "wrong",
    });
    expect(result.code).toBe(3);
    expect(result.stderr.trim().split("\n")).toEqual([
      IN_PROCESS,
      "gateway: The email or password is incorrect.",
    ]);
    expect(await Bun.file(credentials).text()).toBe(before);
  });

  test("no terminal and no --password-stdin: exit 2 saying what to pass", async () => {
    const result = await run(["login", "--email", "free@example.com"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--password-stdin");
  });

  test("an expired saved token exits 3 and says to log in", async () => {
    writeFileSync(
      credentials,
      JSON.stringify({ access_token: "a.b.c", expires_at: "2020-01-01T00:00:00Z", email: "x" }),
    );
    const result = await run(["profile"], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain("gateway login");
    rmSync(credentials);
  });
});

describe("long-running commands", () => {
  async function startUntil(argv: string[], pattern: RegExp) {
    const controller = new AbortController();
    let seen = "";
    let found: (line: string) => void = () => {};
    const ready = new Promise<string>((resolve) => {
      found = resolve;
    });
    const done = run(argv, {
      env,
      signal: controller.signal,
      onStdout: (text) => {
        seen += text;
        const line = seen.split("\n").find((l) => pattern.test(l));
        if (line) found(line);
      },
    });
    const line = await Promise.race([
      ready,
      done.then((r) => Promise.reject(new Error(`exited early: ${r.stderr}`))),
    ]);
    return { line, stop: () => controller.abort(), done, output: () => seen };
  }

  test("serve --demo --port 0: startup line with the real URL, real traffic, clean stop", async () => {
    const server = await startUntil(
      ["serve", "--demo", "--port", "0", "--host", "127.0.0.1"],
      /gateway listening/,
    );
    const { url, ...started } = JSON.parse(server.line) as { url: string; metrics_url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // Where /metrics is, and that it is open there (warned about), is said at start.
    expect(started).toMatchObject({
      metrics_url: `${url}/metrics`,
      metrics_port: "public",
      metrics_auth: "none",
      // Without Redis, sessions and revocations are this process's own: said at start.
      sessions: "in-process",
    });
    expect((started as { signing_key?: string }).signing_key).toMatch(/^EdDSA \S+$/);
    const login = await fetch(`${url}/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const search = await fetch(`${url}/search?query=iphone`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(search.status).toBe(200);
    server.stop();
    const result = await server.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("premium@example.com");
    const lines = server
      .output()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain("stopped");
    expect(lines.map((l) => l.msg)).toContain("/metrics is open to anyone on the public port");
    expect(server.output()).not.toContain(access_token);
    expect(server.output()).not.toContain("premium-pass");
  });

  test("a port already in use is an error (exit 1), not a silently shared socket", async () => {
    const server = await startUntil(
      ["serve", "--demo", "--port", "0", "--host", "127.0.0.1"],
      /gateway listening/,
    );
    const { url } = JSON.parse(server.line) as { url: string };
    const port = new URL(url).port;
    const second = await run(["serve", "--demo", "--port", port, "--host", "127.0.0.1"], { env });
    server.stop();
    await server.done;
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `gateway: 127.0.0.1:${port} is already in use; choose another with --port or GATEWAY_PORT`,
    );
  });

  test("reference aggregator runs alone and stops on signal", async () => {
    const service = await startUntil(
      ["reference", "aggregator", "--port", "0"],
      /reference aggregator listening/,
    );
    const { url } = JSON.parse(service.line) as { url: string };
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    service.stop();
    expect((await service.done).code).toBe(0);
  });

  test("healthcheck: 0 against a live gateway, 1 against nothing", async () => {
    const server = await startUntil(
      ["serve", "--demo", "--port", "0", "--host", "127.0.0.1"],
      /gateway listening/,
    );
    const { url } = JSON.parse(server.line) as { url: string };
    const healthy = await run(["healthcheck", "--url", url]);
    expect(healthy.code).toBe(0);
    server.stop();
    await server.done;
    const down = await run(["healthcheck", "--url", url, "--timeout-ms", "500"]);
    expect(down.code).toBe(1);
    expect(down.stderr).toStartWith("gateway: unhealthy:");
  });
});

describe("search output to a terminal", () => {
  // What a hostile or broken Aggregator may put in a title: escape sequences that retitle or clear the
  // terminal, C1 controls (CSI), DEL, CR, and bidi controls that make a line read differently.
  const titles = [
    "Evil\u001b]0;pwned\u0007 phone\u001b[2J",
    "abc\u202edcba\u202c",
    "i\u2066s\u2069o\u2067l\u2068a\u200et\u200fe\u061cd",
    "C1\u009b31m, DEL\u007f, CR\rover, NUL\u0000",
  ];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const unprintable = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  const aggregator = startFakeBackend(async (request) => {
    if (request.method === "GET") return Response.json({ status: "ok" });
    const body = (await request.json()) as { request_id: string };
    return Response.json({
      request_id: body.request_id,
      results: titles.map((title, i) => ({
        id: `p-${i}`,
        title,
        price: 1,
        currency: "USD",
        url: `https://shop.example/p/${i}`,
        source: "shop\u001b[31m\u202e",
      })),
    });
  });
  const own = tempHome();
  const fakeEnv = { XDG_CONFIG_HOME: own, GATEWAY_AGGREGATOR_URL: aggregator.url };
  afterAll(async () => {
    await aggregator.stop();
    rmSync(own, { recursive: true, force: true });
  });

  test("the table drops control and bidi characters from backend text", async () => {
    const result = await run(["search", "phone"], { env: fakeEnv });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    for (const line of lines) expect(line).not.toMatch(unprintable);
    expect(lines.length).toBe(2 + titles.length);
    expect(lines[2]).toStartWith("Evil]0;pwned phone[2J  ");
    expect(lines[3]).toStartWith("abcdcba ");
    expect(lines[4]).toStartWith("isolated ");
    expect(lines[5]).toStartWith("C131m, DEL, CRover, NUL ");
    for (const line of lines.slice(2)) expect(line).toEndWith("1.00 USD  shop[31m");
  });

  test("--json keeps the text exactly as the Aggregator sent it", async () => {
    const result = await run(["search", "phone", "--json"], { env: fakeEnv });
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as { results: { title: string; source: string }[] };
    expect(answer.results.map((p) => p.title)).toEqual(titles);
    expect(answer.results[0]?.source).toBe("shop\u001b[31m\u202e");
  });
});
