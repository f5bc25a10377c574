/**
 * A small Prometheus registry: counters, gauges and histograms with fixed label names. Our own rather
 * than prom-client because the hot path is a Map lookup on a joined label string and an add, and values
 * that already live elsewhere (circuit state, cache size) are read only when scraped.
 */
const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
// The format escapes only backslash and line feed in HELP text.
const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
// The format spells infinities and NaN as Go's strconv does, not as JavaScript's String().
const sample = (value: number) =>
  Number.isFinite(value) ? String(value) : Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf";

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((name, i) => `${name}="${escapeLabel(values[i] ?? "")}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export interface CounterSeries {
  inc(by?: number): void;
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  abstract readonly type: string;
  abstract lines(): string[];
  render(): string {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.lines(),
    ].join("\n");
  }
}

export class Counter extends Metric {
  readonly type = "counter";
  readonly #values = new Map<string, { labels: string[]; value: number }>();

  inc(labels: readonly string[] = [], by = 1): void {
    this.#cell(labels).value += by;
  }

  /**
   * The series of these labels, to count without joining and looking them up on every call: for a hot
   * path that can keep it (per route, per status). It exists, at 0, from this call on.
   */
  series(labels: readonly string[]): CounterSeries {
    const cell = this.#cell(labels);
    return {
      inc: (by = 1) => {
        cell.value += by;
      },
    };
  }

  #cell(labels: readonly string[]): { labels: string[]; value: number } {
    const key = labels.join("\u0000");
    let cell = this.#values.get(key);
    if (!cell) {
      cell = { labels: [...labels], value: 0 };
      this.#values.set(key, cell);
    }
    return cell;
  }

  get(labels: readonly string[] = []): number {
    return this.#values.get(labels.join("\u0000"))?.value ?? 0;
  }

  lines(): string[] {
    return [...this.#values.values()].map(
      (c) => `${this.name}${labelText(this.labelNames, c.labels)} ${sample(c.value)}`,
    );
  }
}

/** A gauge (or a counter kept elsewhere) read at scrape time from wherever the value lives. */
export class Collected extends Metric {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly collect: () => Iterable<[labels: string[], value: number]>,
    readonly type: "gauge" | "counter" = "gauge",
  ) {
    super(name, help, labelNames);
  }

  lines(): string[] {
    return [...this.collect()].map(
      ([labels, value]) => `${this.name}${labelText(this.labelNames, labels)} ${sample(value)}`,
    );
  }
}

interface HistogramCell {
  labels: string[];
  counts: number[];
  sum: number;
  count: number;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export class Histogram extends Metric {
  readonly type = "histogram";
  readonly #cells = new Map<string, HistogramCell>();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(labels: readonly string[], value: number): void {
    this.#record(this.#cell(labels), value);
  }

  /** One label set's observer, for a caller that keeps it: no join and lookup per observation. */
  series(labels: readonly string[]): HistogramSeries {
    const cell = this.#cell(labels);
    return { observe: (value) => this.#record(cell, value) };
  }

  #cell(labels: readonly string[]): HistogramCell {
    const key = labels.join("\u0000");
    let cell = this.#cells.get(key);
    if (!cell) {
      cell = { labels: [...labels], counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#cells.set(key, cell);
    }
    return cell;
  }

  #record(cell: HistogramCell, value: number): void {
    // Non-cumulative per bucket here; made cumulative when rendered.
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    if (i < this.buckets.length) cell.counts[i] = (cell.counts[i] ?? 0) + 1;
    cell.sum += value;
    cell.count += 1;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const cell of this.#cells.values()) {
      let running = 0;
      this.buckets.forEach((bound, i) => {
        running += cell.counts[i] ?? 0;
        out.push(`${this.name}_bucket${labelText(this.labelNames, cell.labels, `le="${bound}"`)} ${running}`);
      });
      out.push(`${this.name}_bucket${labelText(this.labelNames, cell.labels, 'le="+Inf"')} ${cell.count}`);
      out.push(`${this.name}_sum${labelText(this.labelNames, cell.labels)} ${sample(cell.sum)}`);
      out.push(`${this.name}_count${labelText(this.labelNames, cell.labels)} ${cell.count}`);
    }
    return out;
  }
}

export class Registry {
  readonly #metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.#metrics.push(metric);
    return metric;
  }

  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    return `${this.#metrics.map((m) => m.render()).join("\n")}\n`;
  }
}
