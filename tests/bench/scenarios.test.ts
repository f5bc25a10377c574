import { describe, expect, test } from "bun:test";
import { evaluateAll } from "../../bench/lib/goals.ts";
import { parseOptions } from "../../bench/lib/options.ts";
import type { BenchResults, Summary } from "../../bench/lib/results.ts";
import { selectScenarios } from "../../bench/lib/scenarios.ts";

const selection = (argv: string) =>
  selectScenarios(parseOptions(argv.split(" ").filter(Boolean))).map(
    (s) => `${s.name}: ${s.targets.map((t) => t.name).join(",")}`,
  );

/** A run of `argv`'s selection in which every target measured the same numbers. */
function ranAll(argv: string): BenchResults {
  const summary: BenchResults["summary"] = {};
  for (const scenario of selectScenarios(parseOptions(argv.split(" ").filter(Boolean)))) {
    summary[scenario.name] = Object.fromEntries(
      scenario.targets.map((t): [string, Summary] => [
        t.name,
        {
          rps: 1,
          hit_ratio: null,
          p50_us: 1,
          p99_us: 1,
          cpu_us_per_request: 1,
          peak_rss_mb: 1,
          non2xx: 0,
          load_cores: 0,
          cache_fill: 1,
        },
      ]),
    );
  }
  return {
    summary,
    skipped: {},
    startup_ms: 1,
    soak: { rss_start_mb: 1, rss_end_mb: 1, growth: 0, non2xx: 0 },
  };
}

describe("bench scenarios and flags", () => {
  test("the documented one-comparison command still selects just that", () => {
    expect(selection("--scenarios hit --targets passthrough,gateway --no-binary")).toEqual([
      "hit: passthrough,gateway",
    ]);
  });

  test("a group name selects its scenarios, and a scenario left with no target is dropped", () => {
    expect(selection("--scenarios zipf --targets fastify")).toEqual([
      "zipf-64c: fastify",
      "zipf-256c: fastify",
    ]);
    expect(selection("--scenarios memory --targets nginx")).toEqual([]);
  });

  test("every goal finds what it compares in the full selection and in --goals", () => {
    for (const argv of ["", "--goals"]) {
      const subjects = ["gateway", "gateway-binary"];
      const notMeasured = evaluateAll(ranAll(argv), subjects).filter((g) => g.status === "not measured");
      expect({ argv, notMeasured: notMeasured.map((g) => `${g.id}: ${g.reason}`) }).toEqual({
        argv,
        notMeasured: [],
      });
    }
  });

  test("--goals leaves out what no goal reads: the p99 scenario and the nginx peer", () => {
    const goals = selection("--goals").join("\n");
    expect(goals).not.toContain("p99-256c-20ms");
    expect(goals).not.toContain("nginx");
    expect(selection("").join("\n")).toContain("nginx");
  });

  test("the numbers and switches are read, and a mistyped flag is refused", () => {
    expect(
      parseOptions(["--rounds", "1", "--seconds", "2", "--soak", "--chart", "docs/x.svg"]),
    ).toMatchObject({
      rounds: 1,
      seconds: 2,
      soak: true,
      chart: "docs/x.svg",
      warmup: 3,
    });
    expect(() => parseOptions(["--round", "1"])).toThrow(/unknown flag --round/);
    expect(() => parseOptions(["--seconds", "two"])).toThrow(/needs a number/);
    expect(() => parseOptions(["--targets"])).toThrow(/needs a value/);
  });

  test("the hit, miss and Zipf scenarios run the fixed stack's floors; the memory ones their one-entry variants", () => {
    for (const scenario of ["hit", "miss", "zipf-64c", "zipf-256c"])
      expect(selection(`--scenarios ${scenario} --targets floor-elysia,floor-required --goals`)).toEqual([
        `${scenario}: floor-elysia,floor-required`,
      ]);
    const memory = selectScenarios(parseOptions(["--scenarios", "memory-miss-256c", "--goals"]))[0];
    const entries = Object.fromEntries(memory?.targets.map((t) => [t.name, t.cacheEntries]) ?? []);
    expect(entries).toEqual({
      floor: undefined,
      "floor-required": undefined,
      gateway: undefined,
      "floor-1entry": 1,
      "floor-required-1entry": 1,
      "gateway-nocache": undefined,
    });
  });

  test("the floor-parts study runs only when named, each variant with its one piece off", () => {
    expect(selection("").join("\n")).not.toContain("hit-floor-parts");
    expect(selection("--goals").join("\n")).not.toContain("hit-floor-parts");
    const [parts] = selectScenarios(parseOptions(["--scenarios", "hit-floor-parts"]));
    expect(parts?.targets.map((t) => [t.name, t.env?.FLOOR_REQUIRED_OFF])).toEqual([
      ["floor-elysia", undefined],
      ["floor-required", undefined],
      ["floor-required-no-log", "log"],
      ["floor-required-no-hook", "hook"],
      ["floor-required-no-limit", "limit"],
      ["floor-required-no-headers", "headers"],
    ]);
  });
});
