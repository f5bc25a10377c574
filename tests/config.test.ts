import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOCS_COMMAND, generatedDocs, renderDoc } from "../src/core/config/docs.ts";
import { ConfigError, loadConfig } from "../src/core/config/load.ts";
import { settings } from "../src/core/config/settings.ts";
import { DEFAULT_PLANS } from "../src/models/subscription.ts";
import { ORIGIN_MAX_LENGTH } from "../src/models/well-known.ts";

const dir = mkdtempSync(join(tmpdir(), "gateway-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "s".repeat(32);
const BACKENDS = {
  GATEWAY_USERS_URL: "http://users:8081",
  GATEWAY_AGGREGATOR_URL: "http://agg:8082",
  GATEWAY_JWT_SECRET: SECRET,
};

function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("defaults from the settings list", () => {
    const config = loadConfig({ env: BACKENDS });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      jwtIssuer: "gateway",
      jwtAudience: "gateway",
      jwtTtl: 900,
      userCacheTtl: 30,
      usersTimeoutMs: 2000,
      aggregatorTimeoutMs: 5000,
      logLevel: "info",
      demo: false,
    });
    expect(config.plans).toEqual(DEFAULT_PLANS);
    expect(config.usersUrl).toBe("http://users:8081");
  });

  test("flag beats environment beats config file", () => {
    const path = file("layers.json", JSON.stringify({ port: 7000, jwtTtl: 600, logLevel: "warn" }));
    const config = loadConfig({
      flags: { port: "9000", config: path },
      env: { ...BACKENDS, GATEWAY_PORT: "8000", GATEWAY_JWT_TTL: "300" },
    });
    expect(config.port).toBe(9000);
    expect(config.jwtTtl).toBe(300);
    expect(config.logLevel).toBe("warn");
    expect(config.configFile).toBe(path);
  });

  test("a TOML config file with the plan table, merged over the defaults", () => {
    const path = file(
      "gateway.toml",
      ['usersUrl = "http://u:1"', 'aggregatorUrl = "http://a:2"', "[plans.free]", "maxResults = 10"].join(
        "\n",
      ),
    );
    const config = loadConfig({ env: { GATEWAY_CONFIG: path, GATEWAY_JWT_SECRET: SECRET } });
    expect(config.usersUrl).toBe("http://u:1");
    expect(config.plans.free).toEqual({ ...DEFAULT_PLANS.free, maxResults: 10 });
    expect(config.plans.premium).toEqual(DEFAULT_PLANS.premium);
  });

  test("every problem is reported at once, and a secret is never echoed", () => {
    const path = file(
      "bad.json",
      JSON.stringify({ colour: "blue", plans: { gold: {}, free: { maxResults: 0 } } }),
    );
    const problems = problemsOf(() =>
      loadConfig({
        flags: { config: path },
        env: {
          GATEWAY_PORT: "eighty",
          GATEWAY_JWT_SECRET: "short-secret",
          GATEWAY_LOG_LEVEL: "loud",
          GATEWAY_USERS_URL: "ftp://x",
        },
      }),
    );
    const text = problems.join("\n");
    expect(text).toContain("GATEWAY_PORT: expected an integer from 0 to 65535");
    expect(text).toContain("GATEWAY_JWT_SECRET: expected a secret of at least 32 bytes");
    expect(text).not.toContain("short-secret");
    expect(text).toContain("GATEWAY_LOG_LEVEL: expected one of debug, info, warn, error");
    expect(text).toContain("GATEWAY_USERS_URL: expected a URL whose scheme is http or https");
    expect(text).toContain('config file key "colour": not a setting');
    expect(text).toContain('"plans.gold": unknown plan');
    expect(text).toContain('"plans.free.maxResults"');
    expect(text).toContain("set GATEWAY_AGGREGATOR_URL (--aggregator-url)");
    expect(problems.length).toBe(8);
  });

  test("a grpc:// Aggregator URL with userinfo is refused: gRPC would silently not send it", () => {
    const problems = problemsOf(() =>
      loadConfig({ flags: {}, env: { GATEWAY_AGGREGATOR_URL: "grpc://agg:s3cret-pw@aggregator:50051" } }),
    );
    const text = problems.join("\n");
    expect(text).toContain("GATEWAY_AGGREGATOR_URL: expected a grpc(s):// URL without user:password@");
    expect(text).not.toContain("s3cret-pw");
  });

  test("a GATEWAY_PUBLIC_URL longer than the metadata's documented bound is refused at start", () => {
    const long = `https://${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.${"e".repeat(60)}.example.com`;
    expect(long.length).toBeGreaterThan(ORIGIN_MAX_LENGTH);
    const problems = problemsOf(() => loadConfig({ env: { ...BACKENDS, GATEWAY_PUBLIC_URL: long } }));
    expect(problems.join("\n")).toContain(`an origin of at most ${ORIGIN_MAX_LENGTH} characters`);
    const fits = `https://${"a".repeat(60)}.example.com`;
    expect(loadConfig({ env: { ...BACKENDS, GATEWAY_PUBLIC_URL: fits } }).publicUrl).toBe(fits);
  });

  test("without backends or secret outside demo mode: one line saying what to set", () => {
    const problems = problemsOf(() => loadConfig({ env: { GATEWAY_JWT_SECRET: SECRET } }));
    expect(problems).toEqual([
      "set GATEWAY_USERS_URL (--users-url) and GATEWAY_AGGREGATOR_URL (--aggregator-url), or run with --demo to use the built-in reference backends",
    ]);
    const noSecret = problemsOf(() => loadConfig({ env: { ...BACKENDS, GATEWAY_JWT_SECRET: "" } }));
    expect(noSecret).toEqual([
      "set GATEWAY_JWT_KEYS (--jwt-keys) to a key ring (`gateway keys generate`), or GATEWAY_JWT_SECRET to an HS256 secret of at least 32 bytes",
    ]);
  });

  test("demo mode needs neither backends nor a secret", () => {
    expect(loadConfig({ flags: { demo: true }, env: {} }).demo).toBe(true);
    expect(loadConfig({ env: { GATEWAY_DEMO: "true" } }).demo).toBe(true);
  });

  test("a trusted proxy range with public addresses is refused, unless said to be on purpose", () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { ...BACKENDS, GATEWAY_TRUST_PROXY: "private,0.0.0.0/0,::/0" } }),
    );
    expect(problems).toEqual([
      "GATEWAY_TRUST_PROXY: 0.0.0.0/0, ::/0 contain public addresses, so any client there could forge X-Forwarded-For; name only your proxies, or set GATEWAY_TRUST_PROXY_UNSAFE=true (--trust-proxy-unsafe) if they really are public",
    ]);
    expect(
      problemsOf(() => loadConfig({ env: { ...BACKENDS, GATEWAY_TRUST_PROXY: "203.0.113.7" } }))[0],
    ).toStartWith("GATEWAY_TRUST_PROXY: 203.0.113.7 contains public addresses");
    const unsafe = { ...BACKENDS, GATEWAY_TRUST_PROXY: "203.0.113.0/24", GATEWAY_TRUST_PROXY_UNSAFE: "true" };
    expect(loadConfig({ env: unsafe }).trustProxy).toEqual(["203.0.113.0/24"]);
    expect(
      loadConfig({ env: { ...BACKENDS, GATEWAY_TRUST_PROXY: "private,loopback,10.1.2.3" } }).trustProxy,
    ).toEqual(["private", "loopback", "10.1.2.3"]);
  });

  test("trusted proxies: a zone id or an inet_aton shorthand is not an address", () => {
    for (const entry of ["fe80::1%eth0", "127.1", "010.0.0.1"]) {
      const problems = problemsOf(() => loadConfig({ env: { ...BACKENDS, GATEWAY_TRUST_PROXY: entry } }));
      expect(problems).toEqual([
        expect.stringContaining(`GATEWAY_TRUST_PROXY: expected a comma-separated list`),
      ]);
    }
  });

  test("CORS: `*` with credentials is refused in one line; either alone is fine", () => {
    const env = { ...BACKENDS, GATEWAY_CORS_ORIGINS: "*", GATEWAY_CORS_CREDENTIALS: "true" };
    expect(problemsOf(() => loadConfig({ env }))).toEqual([
      'GATEWAY_CORS_ORIGINS=* with GATEWAY_CORS_CREDENTIALS=true would let every site, the "null" origin of sandboxed frames included, make credentialed calls; list the origins, or turn credentials off',
    ]);
    expect(
      problemsOf(() =>
        loadConfig({ flags: { corsOrigins: "https://a.example,*", corsCredentials: true }, env: BACKENDS }),
      ),
    ).toHaveLength(1);
    expect(loadConfig({ env: { ...env, GATEWAY_CORS_CREDENTIALS: "false" } }).corsOrigins).toEqual(["*"]);
    const listed = { ...env, GATEWAY_CORS_ORIGINS: "https://app.example.com" };
    expect(loadConfig({ env: listed }).corsCredentials).toBe(true);
  });

  test("a metrics token shorter than 16 bytes is refused, and not echoed", () => {
    const problems = problemsOf(() =>
      loadConfig({ env: { ...BACKENDS, GATEWAY_METRICS_TOKEN: "metrics-15bytes" } }),
    );
    expect(problems).toEqual([
      "GATEWAY_METRICS_TOKEN: expected a secret of at least 16 bytes (e.g. `openssl rand -base64 16`)",
    ]);
    expect(
      loadConfig({ env: { ...BACKENDS, GATEWAY_METRICS_TOKEN: " metrics-16-bytes\n" } }).metricsToken,
    ).toBe("metrics-16-bytes");
  });

  test("an unreadable or malformed config file is a config problem, not a crash", () => {
    expect(
      problemsOf(() => loadConfig({ flags: { demo: true, config: join(dir, "missing.json") } }))[0],
    ).toContain("cannot be read (ENOENT)");
    expect(problemsOf(() => loadConfig({ flags: { demo: true, config: file("x.json", "{") } }))[0]).toContain(
      "not valid JSON",
    );
  });
});

describe("README", () => {
  test("the configuration table lists every setting with its env var, flag and default", async () => {
    const readme = await Bun.file(join(import.meta.dir, "..", "README.md")).text();
    for (const setting of Object.values(settings)) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${setting.env}\``));
      expect(row, `README row for ${setting.env}`).toBeDefined();
      expect(row).toContain(`\`${setting.flag}\``);
      if (setting.default !== undefined) expect(row).toContain(`\`${setting.default}\``);
    }
  });

  test("the generated config docs (README.md, docs/cli.md) are what settings.ts makes of them", async () => {
    for (const file of Object.keys(generatedDocs)) {
      const text = await Bun.file(join(import.meta.dir, "..", file)).text();
      expect(text, `${file} is stale: run \`${DOCS_COMMAND}\` and commit the result`).toBe(
        renderDoc(file, text),
      );
    }
  });
});
