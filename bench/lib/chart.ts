/**
 * The run as a chart: two panels of grouped bars, req/s and CPU µs per request, one group per scenario and
 * one bar per target, with a legend. Plain SVG text built here (no dependency, no external service), so
 * docs/performance.md can show the same run the tables print. Each bar carries a <title> with its exact
 * value for a browser's tooltip; the label above it is rounded.
 */
import type { Summary } from "./results.ts";

export interface ChartInput {
  title: string;
  /** scenario -> target -> summary; scenarios and targets are drawn in this order. */
  summary: Record<string, Record<string, Summary>>;
}

const PALETTE: Record<string, string> = {
  passthrough: "#8c8c8c",
  floor: "#4c78a8",
  gateway: "#e45756",
  "gateway-binary": "#f58518",
  fastify: "#54a24b",
  nginx: "#b279a2",
};
const SPARE = ["#72b7b2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];

// Bars widen to fill the minimum width (a two-scenario run would otherwise be a narrow strip), up to a
// limit; at the narrowest a four-character value label still fits above its bar.
const MIN_WIDTH = 640;
const MIN_BAR = 22;
const MAX_BAR = 40;
const GROUP_GAP = 28;
const LEFT = 64;
const RIGHT = 16;
const PANEL_HEIGHT = 200;
const PANEL_GAP = 70;
const TOP = 70;

export const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A round axis top and step (1, 2 or 5 times a power of ten), at most five steps. */
export function niceScale(max: number): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 0.25 };
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  return { top: Math.ceil(max / step) * step, step };
}

const short = (n: number) =>
  n >= 10_000 ? `${Math.round(n / 1000)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n)}`;

interface Panel {
  label: string;
  unit: string;
  value: (s: Summary) => number;
}

const PANELS: Panel[] = [
  { label: "Requests per second (higher is better)", unit: "req/s", value: (s) => s.rps },
  { label: "CPU µs per request (lower is better)", unit: "µs/req", value: (s) => s.cpu_us_per_request },
];

export function chartSvg(input: ChartInput): string {
  const scenarios = Object.keys(input.summary);
  const targets = [...new Set(scenarios.flatMap((s) => Object.keys(input.summary[s] ?? {})))];
  const colour = new Map(targets.map((t, i) => [t, PALETTE[t] ?? SPARE[i % SPARE.length] ?? "#000"]));
  const bars = scenarios.reduce((n, s) => n + Object.keys(input.summary[s] ?? {}).length, 0);
  const gaps = (scenarios.length + 1) * GROUP_GAP;
  const fitted = bars > 0 ? Math.floor((MIN_WIDTH - LEFT - RIGHT - gaps) / bars) : MIN_BAR;
  const bar = Math.min(MAX_BAR, Math.max(MIN_BAR, fitted));
  const groupWidth = (s: string) => Object.keys(input.summary[s] ?? {}).length * bar;
  const plotWidth = bars * bar + gaps;
  const width = Math.max(MIN_WIDTH, LEFT + plotWidth + RIGHT);
  const height = TOP + PANELS.length * (PANEL_HEIGHT + PANEL_GAP);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(input.title)}">`,
    // The accessible name (and biome's a11y rule, which lints the SVG in docs/).
    `<title>${escapeXml(input.title)}</title>`,
    `<rect class="background" x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="${LEFT}" y="20" font-size="14" font-weight="bold">${escapeXml(input.title)}</text>`,
  ];
  let x = LEFT;
  for (const target of targets) {
    out.push(
      `<rect class="swatch" x="${x}" y="32" width="12" height="12" fill="${colour.get(target)}"/>`,
      `<text class="legend" x="${x + 16}" y="42">${escapeXml(target)}</text>`,
    );
    x += 16 + target.length * 7 + 18;
  }
  PANELS.forEach((panel, p) => {
    const top = TOP + p * (PANEL_HEIGHT + PANEL_GAP) + 20;
    const bottom = top + PANEL_HEIGHT;
    const values = scenarios.flatMap((s) => Object.values(input.summary[s] ?? {}).map(panel.value));
    const { top: axisTop, step } = niceScale(Math.max(0, ...values.filter(Number.isFinite)));
    const y = (v: number) => bottom - (Math.max(0, v) / axisTop) * PANEL_HEIGHT;
    out.push(
      `<text class="panel" x="${LEFT}" y="${top - 8}" font-weight="bold">${escapeXml(panel.label)}</text>`,
    );
    for (let tick = 0; tick <= axisTop + step / 2; tick += step) {
      out.push(
        `<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e0e0e0"/>`,
        `<text class="tick" x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${short(tick)}</text>`,
      );
    }
    let gx = LEFT + GROUP_GAP;
    for (const scenario of scenarios) {
      const byTarget = input.summary[scenario] ?? {};
      Object.entries(byTarget).forEach(([target, s], i) => {
        const v = panel.value(s);
        const bx = gx + i * bar;
        // A target with no number (NaN) gets an empty bar, not an attribute a renderer refuses.
        const by = y(Number.isFinite(v) ? v : 0);
        const exact = `${scenario} ${target}: ${Number.isFinite(v) ? v : "n/a"} ${panel.unit}`;
        out.push(
          `<rect class="bar" data-scenario="${escapeXml(scenario)}" data-target="${escapeXml(target)}" x="${bx + 1}" y="${by}" width="${bar - 2}" height="${bottom - by}" fill="${colour.get(target)}"><title>${escapeXml(exact)}</title></rect>`,
          `<text class="value" x="${bx + bar / 2}" y="${by - 3}" text-anchor="middle" font-size="9">${Number.isFinite(v) ? short(v) : "-"}</text>`,
        );
      });
      out.push(
        `<text class="scenario" x="${gx + groupWidth(scenario) / 2}" y="${bottom + 16}" text-anchor="middle">${escapeXml(scenario)}</text>`,
      );
      gx += groupWidth(scenario) + GROUP_GAP;
    }
    out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
