import { describe, expect, test } from "bun:test";
import { GatewayMetrics } from "../../src/core/metrics/gateway-metrics.ts";
import { Collected, Counter, Histogram, Registry } from "../../src/core/metrics/registry.ts";
import { type Family, parseExposition, strictExposition } from "../helpers/prometheus-text.ts";

const byName = (families: Family[], name: string) => {
  const f = families.find((family) => family.name === name);
  if (!f) throw new Error(`no family ${name}`);
  return f;
};

describe("a counter's kept series", () => {
  test("counts into the same series as inc with the same labels, and into no other", () => {
    const counter = new Counter("t_total", "T", ["method", "status"]);
    const ok = counter.series(["GET", "200"]);
    ok.inc();
    counter.inc(["GET", "200"]);
    ok.inc(3);
    counter.series(["GET", "500"]).inc();
    expect(counter.get(["GET", "200"])).toBe(5);
    expect(counter.get(["GET", "500"])).toBe(1);
    expect(counter.lines()).toEqual([
      't_total{method="GET",status="200"} 5',
      't_total{method="GET",status="500"} 1',
    ]);
  });
});

describe("a histogram's kept series", () => {
  test("observes into the same cell as observe with the same labels, and into no other", () => {
    const histogram = new Histogram("t_seconds", "T", ["route"], [0.1, 1]);
    const search = histogram.series(["/search"]);
    search.observe(0.05);
    histogram.observe(["/search"], 0.5);
    search.observe(2);
    histogram.series(["/login"]).observe(0.5);
    expect(histogram.lines()).toEqual([
      't_seconds_bucket{route="/search",le="0.1"} 1',
      't_seconds_bucket{route="/search",le="1"} 2',
      't_seconds_bucket{route="/search",le="+Inf"} 3',
      't_seconds_sum{route="/search"} 2.55',
      't_seconds_count{route="/search"} 3',
      't_seconds_bucket{route="/login",le="0.1"} 0',
      't_seconds_bucket{route="/login",le="1"} 1',
      't_seconds_bucket{route="/login",le="+Inf"} 1',
      't_seconds_sum{route="/login"} 0.5',
      't_seconds_count{route="/login"} 1',
    ]);
  });
});

describe("the metrics registry's exposition text", () => {
  test("counters, collected gauges and counters: HELP and TYPE first, one group each, values as counted", () => {
    const registry = new Registry();
    const requests = registry.register(new Counter("t_requests_total", "Requests", ["method", "status"]));
    registry.register(new Counter("t_unused_total", "Never incremented", ["kind"]));
    registry.register(new Collected("t_in_flight", "In flight", [], () => [[[], 3]]));
    registry.register(new Collected("t_shared_total", "Shared", [], () => [[[], 7]], "counter"));
    requests.inc(["GET", "200"]);
    requests.inc(["GET", "200"], 2);
    requests.inc(["POST", "429"]);
    const families = strictExposition(registry.render());
    expect(families.map((f) => [f.name, f.type, f.help])).toEqual([
      ["t_requests_total", "counter", "Requests"],
      ["t_unused_total", "counter", "Never incremented"],
      ["t_in_flight", "gauge", "In flight"],
      ["t_shared_total", "counter", "Shared"],
    ]);
    expect(byName(families, "t_requests_total").samples).toEqual([
      { name: "t_requests_total", labels: { method: "GET", status: "200" }, value: 3 },
      { name: "t_requests_total", labels: { method: "POST", status: "429" }, value: 1 },
    ]);
    expect(byName(families, "t_unused_total").samples).toEqual([]);
    expect(byName(families, "t_in_flight").samples.map((s) => s.value)).toEqual([3]);
    expect(byName(families, "t_shared_total").samples.map((s) => s.value)).toEqual([7]);
  });

  test("HELP text is escaped, and infinities and NaN are spelled as the format spells them", () => {
    const registry = new Registry();
    registry.register(
      new Collected("t_odd", "A \\ path\nover two lines", ["k"], () => [
        [["up"], Number.POSITIVE_INFINITY],
        [["down"], Number.NEGATIVE_INFINITY],
        [["none"], Number.NaN],
      ]),
    );
    const text = registry.render();
    expect(text).toContain("# HELP t_odd A \\\\ path\\nover two lines\n");
    expect(text).toContain('t_odd{k="up"} +Inf\n');
    expect(text).toContain('t_odd{k="down"} -Inf\n');
    expect(text).toContain('t_odd{k="none"} NaN\n');
    expect(byName(strictExposition(text), "t_odd").help).toBe("A \\ path\nover two lines");
  });

  test("label values with backslashes, quotes and line feeds are escaped and read back unchanged", () => {
    const registry = new Registry();
    const counter = registry.register(new Counter("t_paths_total", "Paths", ["path"]));
    const awkward = [
      'C:\\dir\\"quoted"',
      "two\nlines",
      "end\\",
      "\\n is not a line feed",
      "plain, {with} = signs",
    ];
    for (const value of awkward) counter.inc([value]);
    const text = registry.render();
    // One sample per line: no raw line feed leaked into a label.
    expect(text.split("\n").filter((l) => l.startsWith("t_paths_total"))).toHaveLength(awkward.length);
    const samples = byName(strictExposition(text), "t_paths_total").samples;
    expect(samples.map((s) => s.labels.path)).toEqual(awkward);
  });

  test('histograms: cumulative _bucket per label set ending in le="+Inf", then _sum and _count', () => {
    const registry = new Registry();
    const histogram = registry.register(new Histogram("t_seconds", "Durations", ["route"], [0.1, 0.5, 1]));
    for (const v of [0.05, 0.1, 0.3, 0.7, 2]) histogram.observe(["/a"], v);
    histogram.observe(["/b"], 5);
    const text = registry.render();
    const families = strictExposition(text);
    const f = byName(families, "t_seconds");
    expect(f.type).toBe("histogram");
    const of = (route: string) =>
      f.samples.filter((s) => s.labels.route === route).map((s) => [s.name, s.labels.le, s.value]);
    expect(of("/a")).toEqual([
      ["t_seconds_bucket", "0.1", 2],
      ["t_seconds_bucket", "0.5", 3],
      ["t_seconds_bucket", "1", 4],
      ["t_seconds_bucket", "+Inf", 5],
      ["t_seconds_sum", undefined, 3.15],
      ["t_seconds_count", undefined, 5],
    ]);
    expect(of("/b").map(([, le, v]) => [le, v])).toEqual([
      ["0.1", 0],
      ["0.5", 0],
      ["1", 0],
      ["+Inf", 1],
      [undefined, 5],
      [undefined, 1],
    ]);
    // No family named after the suffixed series: they belong to the histogram.
    expect(families.map((family) => family.name)).toEqual(["t_seconds"]);
  });

  test("everything the gateway exports, after some traffic, passes the strict reader", () => {
    const metrics = new GatewayMetrics("1.2.3");
    metrics.watch({
      circuits: () => [
        ["users", "closed"],
        ["aggregator", "half-open"],
      ],
      cacheEntries: () => 4,
      coalesced: () => 2,
      userCacheStale: () => 1,
      limitFallbacks: () => 0,
    });
    metrics.requests.inc(["GET", "/search", "200"]);
    metrics.requestDuration.observe(["/search"], 0.012);
    metrics.observer("aggregator")(undefined, 0.2);
    metrics.observer("aggregator")({ name: "TimeoutError" }, 3);
    metrics.rejections.inc(["minute"]);
    const families = strictExposition(metrics.render());
    expect(byName(families, "gateway_build_info").samples[0]?.labels).toEqual({ version: "1.2.3" });
    expect(byName(families, "gateway_upstream_request_duration_seconds").type).toBe("histogram");
    const circuits = byName(families, "gateway_circuit_state").samples;
    expect(circuits.filter((s) => s.value === 1).map((s) => s.labels)).toEqual([
      { backend: "users", state: "closed" },
      { backend: "aggregator", state: "half-open" },
    ]);
  });
});

describe("the strict reader itself refuses what the format forbids", () => {
  const refused: [string, string][] = [
    ["no final line feed", "# TYPE a counter\na 1"],
    ["a bad metric name", "# TYPE 1a counter\n1a 1\n"],
    ["a bad label name", 'a{1x="v"} 1\n'],
    ["a reserved label name", 'a{__name__="v"} 1\n'],
    ["an unknown escape in a label value", 'a{x="\\t"} 1\n'],
    ["an unescaped quote in a label value", 'a{x="say "hi""} 1\n'],
    ["an unknown escape in HELP", "# HELP a tab\\there\na 1\n"],
    ["a value that is not a float", "a one\n"],
    ["TYPE after the samples", "a 1\n# TYPE a counter\n"],
    ["a second TYPE", "# TYPE a counter\n# TYPE a counter\na 1\n"],
    ["a family split in two groups", '# TYPE a counter\na 1\nb 1\na{x="y"} 2\n'],
    ["the same series twice", 'a{x="y"} 1\na{x="y"} 2\n'],
    ["a negative counter", "# TYPE a_total counter\na_total -1\n"],
    ["a histogram without +Inf", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      "a histogram whose buckets decrease",
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n',
    ],
    [
      "a histogram whose +Inf is not _count",
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3\n',
    ],
    ["a histogram without _count", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\n'],
  ];
  for (const [what, text] of refused) {
    test(what, () => {
      expect(() => strictExposition(text)).toThrow();
    });
  }

  test("and accepts what it allows: comments, blank lines, timestamps, NaN and ±Inf", () => {
    const text =
      '# a comment\n\n# HELP g A \\\\ and a \\n\n# TYPE g gauge\ng{x="a"} NaN\ng{x="b"} -Inf 1700000000000\n';
    const [g] = parseExposition(text);
    expect(g?.help).toBe("A \\ and a \n");
    expect(g?.samples.map((s) => [s.value, s.timestamp])).toEqual([
      [Number.NaN, undefined],
      [Number.NEGATIVE_INFINITY, 1_700_000_000_000],
    ]);
  });
});
