import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, DEMO, get, json } from "../helpers/http.ts";
import { type Jwk, jwkOf, keyDir, withState, writeKey } from "../helpers/keys.ts";
import { type Stack, startStack } from "../helpers/stack.ts";

/** Waits for a log line, without asserting how long it took; the test's own timeout is the limit. */
async function logged(stack: Stack, text: string, count = 1): Promise<string[]> {
  for (;;) {
    const lines = stack.logs.filter((line) => line.includes(text));
    if (lines.length >= count) return lines;
    await Bun.sleep(20);
  }
}

const kidsOf = async (stack: Stack) =>
  ((await call(stack.app, get("/.well-known/jwks.json"))).body.keys as { kid: string }[])
    .map((k) => k.kid)
    .sort();

const tokenOf = async (stack: Stack) =>
  String((await call(stack.app, json("/login", DEMO.premium))).body.access_token);
const accepted = async (stack: Stack, token: string) =>
  (await call(stack.app, get("/profile", token))).status;

describe("key ring reload on file change (directory)", () => {
  const old = jwkOf("EdDSA", "active");
  const next = jwkOf("EdDSA", "verify-only");
  const dir = keyDir(old);
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ flags: { jwtKeys: dir, jwtSecret: undefined } });
  });
  afterAll(() => stack.close());

  test("a new key file is picked up without a restart: one info line with the kids", async () => {
    const before = await tokenOf(stack);
    writeKey(dir, next);
    const [line] = await logged(stack, "key ring reloaded");
    expect(JSON.parse(line ?? "{}")).toMatchObject({
      trigger: "file change",
      active: old.kid,
      verify_only: next.kid,
    });
    expect(await kidsOf(stack)).toEqual([old.kid, next.kid].sort());
    expect(await accepted(stack, before)).toBe(200);
  });

  test("a broken file keeps the old ring: one error line, tokens still verify, nothing published changes", async () => {
    const token = await tokenOf(stack);
    const kids = await kidsOf(stack);
    writeFileSync(join(dir, "broken.json"), '{"keys": [');
    const lines = await logged(stack, "key ring reload failed");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}").reason).toContain("broken.json");
    expect(await kidsOf(stack)).toEqual(kids);
    expect(await accepted(stack, token)).toBe(200);
    rmSync(join(dir, "broken.json"));
  });
});

describe("key ring reload on SIGHUP (a file whose changes no watch sees)", () => {
  // The ring file is a symlink to another directory, as a mounted secret may be: writing the target
  // fires no watch on the link's directory, so only the signal reloads it.
  const real = mkdtempSync(join(tmpdir(), "gateway-keys-real-"));
  const linkDir = mkdtempSync(join(tmpdir(), "gateway-keys-link-"));
  const target = join(real, "ring.json");
  const link = join(linkDir, "ring.json");
  const old = jwkOf("ES256", "active");
  const next = jwkOf("EdDSA", "verify-only");
  const write = (...jwks: Jwk[]) => writeFileSync(target, JSON.stringify({ keys: jwks }), { mode: 0o600 });
  let stack: Stack;
  beforeAll(async () => {
    write(old);
    symlinkSync(target, link);
    stack = await startStack({ flags: { jwtKeys: link, jwtSecret: undefined } });
  });
  afterAll(() => stack.close());

  test("rotation by SIGHUP: new key active and old verify-only, then old retired", async () => {
    const first = await tokenOf(stack);
    write(withState(old, "verify-only"), withState(next, "active"));
    process.kill(process.pid, "SIGHUP");
    const [line] = await logged(stack, '"trigger":"SIGHUP"');
    expect(JSON.parse(line ?? "{}")).toMatchObject({ active: next.kid, verify_only: old.kid });
    const second = await tokenOf(stack);
    expect(JSON.parse(Buffer.from(second.split(".")[0] ?? "", "base64url").toString()).kid).toBe(next.kid);
    expect(await accepted(stack, first)).toBe(200);
    expect(await accepted(stack, second)).toBe(200);

    write(withState(old, "retired"), withState(next, "active"));
    process.kill(process.pid, "SIGHUP");
    await logged(stack, '"trigger":"SIGHUP"', 2);
    expect(await accepted(stack, first)).toBe(401);
    expect(await accepted(stack, second)).toBe(200);
    expect(await kidsOf(stack)).toEqual([next.kid]);
  });
});
