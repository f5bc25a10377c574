/**
 * The run's two tables as text: the goals (one row each) and the scenarios (one row per target). Plain
 * aligned columns rather than console.table, whose index column and quoting get in the way of reading
 * (and pasting into docs/performance.md).
 */
import type { GoalResult } from "./goals.ts";
import type { Summary } from "./results.ts";

export function textTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const num = (n: number | null | undefined, places = 0) =>
  n === null || n === undefined || Number.isNaN(n)
    ? "-"
    : n.toLocaleString("en-US", { maximumFractionDigits: places, minimumFractionDigits: places });

export function formatNumber(n: number | null, unit: GoalResult["unit"]): string {
  if (n === null) return "-";
  const places = unit === "x" ? 2 : unit === "" ? 0 : 1;
  const text = num(n, places);
  return unit === "x" ? `${text}x` : unit ? `${text} ${unit}` : text;
}

export function goalsTable(results: GoalResult[]): string {
  const rows = results.map((g) => [
    g.text,
    g.values,
    formatNumber(g.ratio, g.unit),
    `${g.direction === "max" ? "<=" : ">="} ${formatNumber(g.threshold, g.unit)}`,
    g.status === "not measured" ? `not measured: ${g.reason ?? ""}` : g.status,
    g.floor === null
      ? ""
      : `${formatNumber(g.floor, g.unit)}${g.below_floor ? " (goal below the floor)" : ""}`,
    otherFloorsCell(g),
  ]);
  return textTable(
    ["goal", "measured", "ratio", "threshold", "result", "the floor's", "the other floors'"],
    rows,
  );
}

/**
 * `floor-elysia 1.20x, floor-required 1.60x (goal below the required-work floor)`; the product floor's
 * mark (all issues' every-request work) only where that one does not already say more, and the
 * framework floor's last.
 */
function otherFloorsCell(g: GoalResult): string {
  const cells = Object.entries(g.floors).map(([name, n]) => `${name} ${formatNumber(n, g.unit)}`);
  if (cells.length === 0) return "";
  const mark = g.below_required_floor
    ? " (goal below the required-work floor)"
    : g.below_product_floor
      ? " (goal below the product floor)"
      : g.below_framework_floor
        ? " (goal below the framework floor)"
        : "";
  return `${cells.join(", ")}${mark}`;
}

export function scenariosTable(summary: Record<string, Record<string, Summary>>): string {
  const rows = Object.entries(summary).flatMap(([scenario, byTarget]) =>
    Object.entries(byTarget).map(([target, s]) => [
      scenario,
      target,
      num(s.rps),
      s.hit_ratio === null ? "-" : num(s.hit_ratio, 3),
      num(s.cpu_us_per_request, 1),
      num(s.p50_us),
      num(s.p99_us),
      num(s.peak_rss_mb, 1),
      s.cache_fill === undefined ? "" : num(s.cache_fill, 2),
      num(s.non2xx),
    ]),
  );
  return textTable(
    [
      "scenario",
      "target",
      "req/s",
      "hit ratio",
      "CPU µs/req",
      "p50 µs",
      "p99 µs",
      "peak RSS MB",
      "cache fill",
      "non-2xx",
    ],
    rows,
  );
}
