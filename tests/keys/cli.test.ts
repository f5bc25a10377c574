import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadKeyRing } from "../../src/core/security/key-ring.ts";
import { run } from "../helpers/cli.ts";
import { jwkOf, keyDir } from "../helpers/keys.ts";

const temp = () => mkdtempSync(join(tmpdir(), "gateway-keys-cli-"));
const BACKENDS = { GATEWAY_USERS_URL: "http://127.0.0.1:1", GATEWAY_AGGREGATOR_URL: "http://127.0.0.1:1" };

describe("gateway keys generate / list", () => {
  test("--dir: the first key is active, the next verify-only, files 0600; list shows no key material", async () => {
    const dir = join(temp(), "keys");
    const first = await run(["keys", "generate", "--dir", dir]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^\S+ EdDSA active written to /);
    const second = await run(["keys", "generate", "--dir", dir, "--alg", "ES256"]);
    expect(second.stdout).toMatch(/^\S+ ES256 verify-only written to /);
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    const ring = loadKeyRing(dir);
    // Files are read in name order, which is the kids' order, not the order they were made in.
    const states = Object.fromEntries([...ring.verifiers.values()].map((key) => [key.alg, key.state]));
    expect(states).toEqual({ EdDSA: "active", ES256: "verify-only" });

    const listed = await run(["keys", "list"], { env: { GATEWAY_JWT_KEYS: dir } });
    expect(listed.code).toBe(0);
    for (const key of ring.all) expect(listed.stdout).toContain(key.kid);
    expect(listed.stdout).toContain("verify-only");
    expect(listed.stdout).toMatch(/\d{4}-\d{2}-\d{2}T/);
    const secrets = readdirSync(dir).map(
      (name) => JSON.parse(readFileSync(join(dir, name), "utf8")).d as string,
    );
    for (const d of secrets) expect(listed.stdout + first.stdout + second.stdout).not.toContain(d);
  });

  test("--file: keys are appended to one JWK Set; a second active key is refused (exit 2)", async () => {
    const file = join(temp(), "ring.json");
    expect((await run(["keys", "generate", "--file", file])).code).toBe(0);
    expect((await run(["keys", "generate", "--file", file, "--state", "verify-only"])).code).toBe(0);
    const refused = await run(["keys", "generate", "--file", file, "--state", "active"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is already active");
    expect(JSON.parse(readFileSync(file, "utf8")).keys).toHaveLength(2);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await run(["keys", "generate", "--file", file, "--alg", "HS256"])).code).toBe(2);
    expect((await run(["keys", "generate"])).code).toBe(2);
  });
});

describe("gateway serve: token key configuration errors exit 2 with one line", () => {
  const serve = (env: Record<string, string>) => run(["serve"], { env: { ...BACKENDS, ...env } });

  test("GATEWAY_JWT_KEYS and GATEWAY_JWT_SECRET together are refused", async () => {
    const result = await serve({
      GATEWAY_JWT_KEYS: keyDir(jwkOf("EdDSA", "active")),
      GATEWAY_JWT_SECRET: "s".repeat(32),
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("GATEWAY_JWT_KEYS and GATEWAY_JWT_SECRET are both set");
    expect(result.stderr).not.toContain("s".repeat(32));
  });

  test("a ring without exactly one active key, a broken file, a missing path, an HS256 JWK", async () => {
    const twoActive = keyDir(jwkOf("EdDSA", "active"), jwkOf("ES256", "active"));
    const noActive = keyDir(jwkOf("EdDSA", "verify-only"));
    const broken = join(temp(), "ring.json");
    writeFileSync(broken, "{not json");
    const hmac = join(temp(), "hs.json");
    writeFileSync(
      hmac,
      JSON.stringify({ kty: "oct", k: "c2VjcmV0", kid: "h", alg: "HS256", "gateway:state": "active" }),
    );
    const cases: [string, string][] = [
      [twoActive, "exactly one key must be"],
      [noActive, "(found none)"],
      [broken, "ring.json"],
      [join(temp(), "absent"), "no such file or directory"],
      [hmac, '"alg" must be EdDSA or ES256'],
    ];
    for (const [path, message] of cases) {
      const result = await serve({ GATEWAY_JWT_KEYS: path });
      expect([path, result.code]).toEqual([path, 2]);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });

  test("an issuer other than the public URL is refused (RFC 8414 §3.3); http only on loopback", async () => {
    const keys = keyDir(jwkOf("EdDSA", "active"));
    const mismatch = await serve({
      GATEWAY_JWT_KEYS: keys,
      GATEWAY_PUBLIC_URL: "https://gw.example.com",
      GATEWAY_JWT_ISSUER: "gateway",
    });
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain("RFC 8414 §3.3");
    const plain = await serve({ GATEWAY_JWT_KEYS: keys, GATEWAY_PUBLIC_URL: "http://gw.example.com" });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("an https:// origin");
    const path = await serve({ GATEWAY_JWT_KEYS: keys, GATEWAY_PUBLIC_URL: "https://gw.example.com/api" });
    expect(path.stderr).toContain("without path");
  });
});
