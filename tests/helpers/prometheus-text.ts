/**
 * A strict reader of the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): it throws on the first
 * line that breaks a rule, naming the line. Written here because no parser package is installed; the npm
 * package `parse-prometheus-text-format` could replace `parseExposition`, but it is lenient (it does not
 * check grouping, escapes or histogram consistency), so the checks in `checkFamilies` would stay.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface Family {
  name: string;
  help?: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
// Go's ParseFloat syntax, which the format refers to: decimal or exponent notation, and NaN, Inf and
// Infinity in any case with an optional sign (the format's own spelling is NaN, +Inf, -Inf).
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)|nan)$/i;
const INT64 = /^-?\d+$/;

function parseFloatValue(text: string, where: string): number {
  if (!FLOAT.test(text)) throw new Error(`${where}: ${JSON.stringify(text)} is not a valid sample value`);
  if (/nan/i.test(text)) return Number.NaN;
  if (/inf/i.test(text)) return text.startsWith("-") ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return Number(text);
}

/** HELP text: only `\\` and `\n` are escapes; any other backslash is an error. */
function unescapeHelp(text: string, where: string): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    throw new Error(`${where}: invalid escape \\${c} in HELP`);
  });
}

/** `{name="value",...}` at `text[start]`; returns the labels and where they end. */
function parseLabels(
  text: string,
  start: number,
  where: string,
): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    if (text[i] === "}") return { labels, end: i + 1 };
    const name = /^[^=]*/.exec(text.slice(i))?.[0] ?? "";
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: invalid label name ${JSON.stringify(name)}`);
    if (name.startsWith("__")) throw new Error(`${where}: label name ${name} is reserved`);
    if (name in labels) throw new Error(`${where}: label ${name} given twice`);
    i += name.length;
    if (text[i] !== "=" || text[i + 1] !== '"') throw new Error(`${where}: label ${name} has no ="value"`);
    i += 2;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error(`${where}: unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\\" || next === '"') value += next;
        else if (next === "n") value += "\n";
        else throw new Error(`${where}: invalid escape \\${next ?? ""} in label ${name}`);
        i += 2;
      } else {
        value += c;
        i += 1;
      }
    }
    labels[name] = value;
    i += 1;
    if (text[i] === ",") i += 1;
    else if (text[i] !== "}") throw new Error(`${where}: expected , or } after label ${name}`);
  }
}

/** The family a sample belongs to: histograms and summaries own their suffixed series. */
function familyOf(sample: string, types: Map<string, Family["type"]>): string {
  for (const [suffix, kinds] of [
    ["_bucket", ["histogram"]],
    ["_sum", ["histogram", "summary"]],
    ["_count", ["histogram", "summary"]],
  ] as const) {
    const base = sample.slice(0, -suffix.length);
    if (sample.endsWith(suffix) && (kinds as readonly string[]).includes(types.get(base) ?? "")) return base;
  }
  return sample;
}

/** Parses the text and checks the line-level rules: syntax, escapes, HELP/TYPE once and first, grouping. */
export function parseExposition(text: string): Family[] {
  if (text !== "" && !text.endsWith("\n")) throw new Error("the last line does not end with a line feed");
  const families = new Map<string, Family>();
  const types = new Map<string, Family["type"]>();
  const closed = new Set<string>();
  const seenSeries = new Set<string>();
  let current: string | undefined;
  const enter = (name: string, where: string) => {
    if (name === current) return;
    if (closed.has(name)) throw new Error(`${where}: the lines of ${name} are not one group`);
    if (current !== undefined) closed.add(current);
    current = name;
  };
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", samples: [] };
      families.set(name, f);
    }
    return f;
  };

  text.split("\n").forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (line.trim() === "") return;
    if (line.startsWith("#")) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // any other comment
      const [, keyword, name = "", rest = ""] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: invalid metric name ${JSON.stringify(name)}`);
      enter(name, where);
      const f = family(name);
      if (keyword === "HELP") {
        if (f.help !== undefined) throw new Error(`${where}: a second HELP for ${name}`);
        f.help = unescapeHelp(rest, where);
      } else {
        if (types.has(name)) throw new Error(`${where}: a second TYPE for ${name}`);
        if (f.samples.length > 0) throw new Error(`${where}: TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type ${JSON.stringify(rest)}`);
        f.type = rest as Family["type"];
        types.set(name, f.type);
      }
      return;
    }
    const name = /^[^\s{]*/.exec(line)?.[0] ?? "";
    if (!METRIC_NAME.test(name)) throw new Error(`${where}: invalid metric name ${JSON.stringify(name)}`);
    let labels: Record<string, string> = {};
    let i = name.length;
    if (line[i] === "{") ({ labels, end: i } = parseLabels(line, i, where));
    const fields = line
      .slice(i)
      .trim()
      .split(/[ \t]+/);
    if (!/^[ \t]/.test(line.slice(i)) || fields.length < 1 || fields.length > 2)
      throw new Error(`${where}: expected a value and an optional timestamp after ${name}`);
    const value = parseFloatValue(fields[0] ?? "", where);
    if (fields[1] !== undefined && !INT64.test(fields[1]))
      throw new Error(`${where}: invalid timestamp ${fields[1]}`);
    const owner = familyOf(name, types);
    enter(owner, where);
    const series = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(series)) throw new Error(`${where}: ${series} appears twice`);
    seenSeries.add(series);
    family(owner).samples.push({
      name,
      labels,
      value,
      ...(fields[1] === undefined ? {} : { timestamp: Number(fields[1]) }),
    });
  });
  return [...families.values()];
}

/** The rules of each type: counters never negative; histograms' buckets, +Inf, _sum and _count. */
export function checkFamilies(families: Family[]): void {
  for (const f of families) {
    if (f.type === "counter") {
      for (const s of f.samples) {
        if (s.name !== f.name) throw new Error(`${f.name}: counter sample ${s.name} has a foreign name`);
        if (!(s.value >= 0)) throw new Error(`${f.name}: counter value ${s.value} is negative or NaN`);
      }
    }
    if (f.type !== "histogram") continue;
    const groups = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
    for (const s of f.samples) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      const group = groups.get(key) ?? { buckets: [] };
      groups.set(key, group);
      if (s.name === `${f.name}_bucket`) {
        if (le === undefined) throw new Error(`${f.name}: a _bucket without le`);
        group.buckets.push([parseFloatValue(le, `${f.name} le`), s.value]);
      } else if (s.name === `${f.name}_sum`) {
        if (le !== undefined) throw new Error(`${f.name}: _sum has an le label`);
        group.sum = s.value;
      } else if (s.name === `${f.name}_count`) {
        if (le !== undefined) throw new Error(`${f.name}: _count has an le label`);
        group.count = s.value;
      } else {
        throw new Error(`${f.name}: histogram sample ${s.name} is not _bucket, _sum or _count`);
      }
    }
    for (const [key, g] of groups) {
      const where = `${f.name}${key}`;
      if (g.sum === undefined || g.count === undefined) throw new Error(`${where}: no _sum or no _count`);
      const last = g.buckets.at(-1);
      if (last?.[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: no le="+Inf" bucket last`);
      for (let i = 1; i < g.buckets.length; i++) {
        const [bound, count] = g.buckets[i] as [number, number];
        const [prevBound, prevCount] = g.buckets[i - 1] as [number, number];
        if (!(bound > prevBound)) throw new Error(`${where}: le ${bound} does not increase`);
        if (count < prevCount) throw new Error(`${where}: buckets are not cumulative at le ${bound}`);
      }
      if (last[1] !== g.count) throw new Error(`${where}: le="+Inf" is ${last[1]}, _count is ${g.count}`);
    }
  }
}

/** Parses and checks; the families, for further assertions. */
export function strictExposition(text: string): Family[] {
  const families = parseExposition(text);
  checkFamilies(families);
  return families;
}
