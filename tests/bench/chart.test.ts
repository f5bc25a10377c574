import { describe, expect, test } from "bun:test";
import { chartSvg, niceScale } from "../../bench/lib/chart.ts";
import type { Summary } from "../../bench/lib/results.ts";
import { allElements, parseXml, type XmlElement } from "../helpers/xml.ts";

const run = (rps: number, cpu: number): Summary => ({
  rps,
  hit_ratio: null,
  p50_us: 1,
  p99_us: 2,
  cpu_us_per_request: cpu,
  peak_rss_mb: 50,
  non2xx: 0,
  load_cores: 0.3,
});

const summary = {
  miss: { passthrough: run(18_000, 50), floor: run(9_000, 95), gateway: run(5_500, 160) },
  hit: { passthrough: run(21_000, 42), gateway: run(30_000, 30) },
  "zipf-256c": { gateway: run(11_000, 90), fastify: run(5_000, 190), "a<b&c": run(1, 1) },
};
const bars = 3 + 2 + 3;

const textOf = (root: XmlElement) => allElements(root).map((e) => e.text);
const classed = (root: XmlElement, name: string, cls: string) =>
  allElements(root).filter((e) => e.name === name && e.attributes.class === cls);

describe("bench chart", () => {
  const svg = chartSvg({ title: "bench 2026-12-04 & co", summary });
  const root = parseXml(svg);

  test("is well-formed SVG with one bar per target, scenario and panel", () => {
    expect(root.name).toBe("svg");
    expect(root.attributes.xmlns).toBe("http://www.w3.org/2000/svg");
    const drawn = classed(root, "rect", "bar");
    expect(drawn.length).toBe(bars * 2);
    const keys = drawn.map((r) => `${r.attributes["data-scenario"]}/${r.attributes["data-target"]}`);
    expect(keys).toContain("zipf-256c/a<b&c");
    for (const r of drawn) {
      expect(Number(r.attributes.height)).toBeGreaterThanOrEqual(0);
      expect(r.children.map((c) => c.name)).toEqual(["title"]);
    }
  });

  test("labels every scenario, every target in the legend, both panels and the title", () => {
    const texts = textOf(root);
    for (const scenario of Object.keys(summary)) {
      expect(classed(root, "text", "scenario").map((e) => e.text)).toContain(scenario);
    }
    const legend = classed(root, "text", "legend").map((e) => e.text);
    expect(legend).toEqual(["passthrough", "floor", "gateway", "fastify", "a<b&c"]);
    expect(classed(root, "rect", "swatch").length).toBe(legend.length);
    expect(texts).toContain("bench 2026-12-04 & co");
    expect(root.children[0]).toMatchObject({ name: "title", text: "bench 2026-12-04 & co" });
    expect(root.attributes["aria-label"]).toBe("bench 2026-12-04 & co");
    expect(texts.some((t) => t.startsWith("Requests per second"))).toBe(true);
    expect(texts.some((t) => t.startsWith("CPU µs per request"))).toBe(true);
  });

  test("bar heights follow the values within a panel", () => {
    const height = (scenario: string, target: string, panel: number) =>
      Number(
        classed(root, "rect", "bar").filter(
          (r) => r.attributes["data-scenario"] === scenario && r.attributes["data-target"] === target,
        )[panel]?.attributes.height,
      );
    expect(height("hit", "gateway", 0)).toBeGreaterThan(height("miss", "gateway", 0));
    expect(height("miss", "gateway", 1)).toBeCloseTo(height("miss", "passthrough", 1) * (160 / 50), 6);
    expect(classed(root, "rect", "bar")[0]?.children[0]?.text).toBe("miss passthrough: 18000 req/s");
  });

  test("a target with no number gets an empty bar with finite coordinates", () => {
    const broken = parseXml(chartSvg({ title: "t", summary: { miss: { gateway: run(100, Number.NaN) } } }));
    const [rps, cpu] = classed(broken, "rect", "bar");
    expect(Number(rps?.attributes.height)).toBeGreaterThan(0);
    expect(cpu?.attributes.height).toBe("0");
    expect(Number.isFinite(Number(cpu?.attributes.y))).toBe(true);
  });

  test("an empty run is still a well-formed chart", () => {
    const empty = parseXml(chartSvg({ title: "nothing", summary: {} }));
    expect(classed(empty, "rect", "bar")).toEqual([]);
  });

  test("the axis ends on a round number above the largest value", () => {
    expect(niceScale(18_000)).toEqual({ top: 20_000, step: 5_000 });
    expect(niceScale(160)).toEqual({ top: 200, step: 50 });
    expect(niceScale(0)).toEqual({ top: 1, step: 0.25 });
  });
});

describe("the tests' XML reader", () => {
  test("refuses what a browser would refuse", () => {
    for (const bad of [
      "<svg><rect></svg>",
      '<svg a="1" a="2"/>',
      "<svg a=1/>",
      "<svg>a < b</svg>",
      "<svg>AT&T</svg>",
      "<svg/><svg/>",
      "<svg>",
    ]) {
      expect(() => parseXml(bad)).toThrow(/XML:/);
    }
  });

  test("reads nesting, attributes, entities and text", () => {
    const root = parseXml('<a x="1 &amp; 2"><b/><!-- c --><c>d &lt; e</c></a>');
    expect(root.attributes.x).toBe("1 & 2");
    expect(root.children.map((c) => c.name)).toEqual(["b", "c"]);
    expect(root.children[1]?.text).toBe("d < e");
  });
});
