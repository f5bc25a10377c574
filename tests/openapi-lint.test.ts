import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OPENAPI_FILE } from "../src/api/openapi-file.ts";
import { type RunningGateway, startGateway } from "./helpers/browser.ts";

/**
 * The document as client teams use it: fetched from a running gateway's /docs/json and fed to the
 * ecosystem's own linters, Redocly (recommended rules) and Spectral (spectral:oas, and the OWASP ruleset
 * with the rules .spectral.yaml turns off), run as child processes with no network.
 */
const root = join(import.meta.dir, "..");
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const OFFLINE = { REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };

let gateway: RunningGateway;
let dir: string;
let documentPath: string;
beforeAll(async () => {
  gateway = await startGateway();
  const response = await fetch(`${gateway.url}/docs/json`);
  expect(response.status).toBe(200);
  dir = mkdtempSync(join(tmpdir(), "gateway-openapi-"));
  documentPath = join(dir, "openapi.json");
  writeFileSync(documentPath, await response.text());
});
afterAll(async () => {
  await gateway?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function run(command: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = Bun.spawn(command, {
    cwd: root,
    env: { ...process.env, ...OFFLINE },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, stdout, stderr };
}

type SpectralResult = { code: string; severity: number; message: string; path: (string | number)[] };

async function spectral(ruleset: string): Promise<SpectralResult[]> {
  const { stdout, stderr } = await run([
    bin("spectral"),
    "lint",
    documentPath,
    "-r",
    ruleset,
    "-f",
    "json",
    "-q",
  ]);
  const start = stdout.indexOf("[");
  if (start < 0) throw new Error(`spectral gave no results list:\n${stdout}\n${stderr}`);
  return JSON.parse(stdout.slice(start)) as SpectralResult[];
}

const show = (results: SpectralResult[]) =>
  results.map((r) => `${r.code} at ${r.path.join(".")}: ${r.message}`).join("\n");

describe("the served OpenAPI document passes the ecosystem's linters", () => {
  test("Redocly lint, recommended rules: no error, no warning", async () => {
    const { code, stdout, stderr } = await run([bin("redocly"), "lint", documentPath, "--format=json"]);
    const report = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string; location: { pointer: string }[] }[];
    };
    const findings = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(findings, stderr).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(code).toBe(0);
  });

  test("Spectral spectral:oas: no error, no warning", async () => {
    const ruleset = join(dir, "oas.yaml");
    writeFileSync(ruleset, 'extends: ["spectral:oas"]\n');
    const results = await spectral(ruleset);
    expect(show(results)).toBe("");
  });

  test("Spectral with the OWASP ruleset (.spectral.yaml): no error", async () => {
    const results = await spectral(join(root, ".spectral.yaml"));
    expect(show(results.filter((r) => r.severity === 0))).toBe("");
  });

  test("every rule .spectral.yaml turns off says why on the same line", () => {
    const lines = readFileSync(join(root, ".spectral.yaml"), "utf8").split("\n");
    const off = lines.filter((line) => /:\s*(off|false)\b/.test(line));
    expect(off.length).toBeGreaterThan(0);
    for (const line of off) expect(line, line).toMatch(/:\s*(off|false)\s+#\s*\S.{20,}/);
  });
});

test(`${OPENAPI_FILE} is the document the routes make (npm run docs:openapi)`, async () => {
  const committed = readFileSync(join(root, OPENAPI_FILE), "utf8");
  const { code, stdout, stderr } = await run([process.execPath, "src/api/openapi-write.ts", "--stdout"]);
  expect(code, stderr).toBe(0);
  expect(committed, `${OPENAPI_FILE} is stale: run \`npm run docs:openapi\` and commit the result`).toBe(
    stdout,
  );
});
