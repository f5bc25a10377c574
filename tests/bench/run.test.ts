import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { goals } from "../../bench/lib/goals.ts";
import { allElements, parseXml } from "../helpers/xml.ts";

const root = join(import.meta.dir, "..", "..");
const wrk = Bun.which("wrk");
const skipped = wrk ? "" : " [skipped: wrk is not installed (apt-get install wrk)]";
// As with Redis and Chromium: .ci/run installs wrk, so in CI a missing one is a broken set-up, not a skip.
if (!wrk && process.env.CI === "true") {
  throw new Error("wrk is not installed (apt-get install wrk); under CI=true this is a failure, not a skip");
}
const out = mkdtempSync(join(tmpdir(), "gateway-bench-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// The runner end to end on its smallest documented comparison: the real targets, backends and wrk, one
// round of one second. Nothing here is about speed; it proves the wiring the unit tests cannot see.
describe("bench/run.ts", () => {
  test.skipIf(!wrk)(
    `the one-comparison command prints both tables and writes the JSON and the chart${skipped}`,
    async () => {
      const child = Bun.spawn(
        [
          process.execPath,
          "bench/run.ts",
          "--scenarios",
          "hit",
          "--targets",
          "passthrough,gateway",
          "--no-binary",
          "--rounds",
          "1",
          "--seconds",
          "1",
          "--warmup",
          "1",
          "--chart",
          join(out, "copy.svg"),
        ],
        { cwd: root, stdout: "pipe", stderr: "pipe", env: { ...process.env, BENCH_OUT: out } },
      );
      const [stdout, stderr, code] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        child.exited,
      ]);
      expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("per scenario and target");
      expect(stdout).toContain("hit path: CPU per request vs the floor");
      expect(stdout).toContain("not measured: hit/floor not run");

      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
      expect(results.goals.map((g: { id: string }) => g.id)).toEqual(goals(["gateway"]).map((g) => g.id));
      expect(results.goals.find((g: { id: string }) => g.id === "non2xx")).toMatchObject({
        status: "met",
        ratio: 0,
      });
      expect(Object.keys(results.summary)).toEqual(["hit"]);
      // The gateway's answers after the warm-up all come from its cache; the passthrough sends no X-Cache.
      // Nearly 1, not exactly: the first requests of a round may miss together while the one answer loads.
      expect(results.summary.hit.gateway.hit_ratio).toBeGreaterThan(0.9);
      expect(results.summary.hit.passthrough.hit_ratio).toBeNull();
      expect(results.summary.hit.gateway.rps).toBeGreaterThan(0);
      expect(results.raw.hit.gateway).toHaveLength(1);

      const svg = readFileSync(join(out, "chart.svg"), "utf8");
      expect(readFileSync(join(out, "copy.svg"), "utf8")).toBe(svg);
      const bars = allElements(parseXml(svg)).filter((e) => e.attributes.class === "bar");
      expect(bars.map((b) => b.attributes["data-target"])).toEqual([
        "passthrough",
        "gateway",
        "passthrough",
        "gateway",
      ]);
    },
    60_000,
  );
});
