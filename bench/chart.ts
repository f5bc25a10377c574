/**
 * Draws the chart again from a saved run, e.g. the lead's full run into docs/:
 *   bun bench/chart.ts test-output/bench/results.json docs/performance-chart.svg
 */
import { readFileSync, writeFileSync } from "node:fs";
import { chartSvg } from "./lib/chart.ts";
import type { Summary } from "./lib/results.ts";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error("usage: bun bench/chart.ts <results.json> <out.svg>");
  process.exit(2);
}
const run = JSON.parse(readFileSync(from, "utf8")) as {
  date: string;
  chart?: { title: string; scenarios: string[] };
  summary: Record<string, Record<string, Summary>>;
};
const scenarios = run.chart?.scenarios ?? Object.keys(run.summary).filter((s) => !s.startsWith("memory-"));
const summary = Object.fromEntries(scenarios.flatMap((s) => (run.summary[s] ? [[s, run.summary[s]]] : [])));
writeFileSync(
  to,
  chartSvg({ title: run.chart?.title ?? `npm run bench, ${run.date.slice(0, 10)}`, summary }),
);
