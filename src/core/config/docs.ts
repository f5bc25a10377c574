import { Kind, type TSchema } from "@sinclair/typebox";
import { fileSections } from "./sections.ts";
import { configFileSetting, type Setting, settings } from "./settings.ts";

/**
 * The configuration docs, rendered from `settings` and the config file's sections: the hand-written
 * copies drifted, so README.md and docs/cli.md hold generated regions that `npm run docs:config`
 * rewrites (and a test compares). Pure functions of the settings, so a test can render them.
 */

export const DOCS_COMMAND = "npm run docs:config";

/** How a setting is spelt on the command line: a boolean off by default is a bare switch. */
export function flagUsage(setting: Setting<unknown>): string {
  return setting.default === false ? setting.flag : `${setting.flag} <value>`;
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Byte sizes as people read them; any other number as it is typed. */
function amount(n: number, bytes: boolean): string {
  if (bytes && n >= GIB && n % GIB === 0) return `${n / GIB} GiB`;
  if (bytes && n >= MIB && n % MIB === 0) return `${n / MIB} MiB`;
  return String(n);
}

function defaultCell(value: unknown): string {
  if (value === undefined) return "none";
  return `\`${Array.isArray(value) ? value.join(",") : String(value)}\``;
}

/** `text (note)`, or the note inside text's own closing parenthesis, so no two parentheses stand in a row. */
function withNote(text: string, note: string | undefined): string {
  if (note === undefined) return text;
  return text.endsWith(")") ? `${text.slice(0, -1)}; ${note})` : `${text} (${note})`;
}

function rangeNote(range: readonly [number, number] | undefined, bytes = false): string | undefined {
  return range && `${amount(range[0], bytes)}–${amount(range[1], bytes)}`;
}

// Width in code points, so "–" and "…" pad like one column, as the markdown formatters count them.
const width = (cell: string) => [...cell].length;

/** A table padded to its widest cell per column, like the repository's hand-formatted ones. */
export function markdownTable(header: string[], rows: string[][]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|")));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ""))));
  const line = (row: string[]) =>
    `| ${widths.map((w, i) => (row[i] ?? "") + " ".repeat(w - width(row[i] ?? ""))).join(" | ")} |`;
  const [head, ...body] = cells;
  return [line(head ?? []), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...body.map(line)].join(
    "\n",
  );
}

const entries = () => Object.entries(settings) as [string, Setting<unknown>][];

/** README's table: env, flag, default, meaning. */
export function readmeSettingsTable(): string {
  const rows = entries().map(([, s]) => [
    `\`${s.env}\``,
    `\`${s.flag}\``,
    defaultCell(s.default),
    s.description,
  ]);
  rows.push([
    `\`${configFileSetting.env}\``,
    `\`${configFileSetting.flag}\``,
    "none",
    configFileSetting.description,
  ]);
  return markdownTable(["env", "flag", "default", "meaning"], rows);
}

/** docs/cli.md's table: the flag as typed, and what values are accepted. */
export function cliSettingsTable(): string {
  const rows = entries().map(([key, s]) => {
    const meaning = withNote(s.description, rangeNote(s.parse.range, key.endsWith("Bytes")));
    return [
      `\`${flagUsage(s)}\``,
      `\`${s.env}\``,
      defaultCell(s.default),
      withNote(meaning, s.sensitive ? "never echoed in errors or logs" : undefined),
    ];
  });
  rows.push([
    `\`${configFileSetting.flag} <file>\``,
    `\`${configFileSetting.env}\``,
    "none",
    configFileSetting.description,
  ]);
  return markdownTable(["Flag", "Environment", "Default", "Meaning"], rows);
}

/** Words joined by spaces, broken into lines no longer than `max` (a word is never split). */
function wrap(words: string[], max: number): string {
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current !== "" && width(current) + 1 + width(word) > max) {
      lines.push(current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") lines.push(current);
  return lines.join("\n");
}

interface FileSection {
  schema: TSchema;
  defaults: object;
}

/** Range of an integer schema, or of the integer member of a union like `integer | null`. */
function schemaRange(schema: TSchema): readonly [number, number] | undefined {
  const numeric = [schema, ...((schema.anyOf as TSchema[] | undefined) ?? [])].find(
    (s) => typeof s.minimum === "number" && typeof s.maximum === "number",
  );
  return numeric ? [numeric.minimum as number, numeric.maximum as number] : undefined;
}

/** One row per leaf key of a section, found by walking its schema, so a new key is documented by itself. */
function sectionRows(path: string, schema: TSchema, value: unknown): string[][] {
  if (schema[Kind] === "Object") {
    const properties = schema.properties as Record<string, TSchema>;
    return Object.entries(properties).flatMap(([key, child]) =>
      sectionRows(`${path}.${key}`, child, (value as Record<string, unknown> | undefined)?.[key]),
    );
  }
  if (typeof schema.description !== "string") {
    throw new Error(`config file key "${path}" has no description in its schema: add one`);
  }
  return [
    [
      `\`${path}\``,
      `\`${JSON.stringify(value)}\``,
      withNote(schema.description, rangeNote(schemaRange(schema))),
    ],
  ];
}

/** docs/cli.md's list of config file keys: every setting's, then the file-only sections' with defaults. */
export function configFileKeys(sections: Record<string, FileSection> = fileSections): string {
  const keys = Object.keys(settings).map((key, i, all) => `\`${key}\`${i < all.length - 1 ? "," : "."}`);
  const rows = Object.entries(sections).flatMap(([name, section]) =>
    sectionRows(name, section.schema, section.defaults),
  );
  return `${wrap(["Setting", "keys:", ...keys], 105)}\n\n${markdownTable(["File-only key", "Default", "Meaning"], rows)}`;
}

/** README's table of one file-only section's keys (the login protection's, which operators tune). */
export function sectionKeys(name: string, sections: Record<string, FileSection> = fileSections): string {
  const section = sections[name];
  if (!section) throw new Error(`no config file section "${name}"`);
  const rows = sectionRows(name, section.schema, section.defaults);
  return markdownTable(["Config file key", "Default", "Meaning"], rows);
}

/**
 * JSON the way Biome formats the README's code block (it formats Markdown too): an object of plain values
 * on one line while the line fits the configured width, else one key per line.
 */
const LINE_WIDTH = 110;
function compactJson(value: unknown, indent = "", prefix = 0): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  const pairs = Object.entries(value);
  if (pairs.every(([, v]) => typeof v !== "object" || v === null)) {
    const flat = `{ ${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(", ")} }`;
    // +1 for the comma that may follow.
    if (indent.length + prefix + flat.length + 1 <= LINE_WIDTH) return flat;
  }
  const inner = `${indent}  `;
  const lines = pairs.map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${inner}${key}${compactJson(v, inner, key.length)}`;
  });
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

/** README's example config file: the file-only sections at their defaults. */
export function fileDefaultsJson(sections: Record<string, FileSection> = fileSections): string {
  const defaults = Object.fromEntries(Object.entries(sections).map(([name, s]) => [name, s.defaults]));
  return `\`\`\`json\n${compactJson(defaults)}\n\`\`\``;
}

/** Which regions of which files (relative to the repository root) are generated, and by what. */
export const generatedDocs: Record<string, Record<string, () => string>> = {
  "README.md": {
    settings: readmeSettingsTable,
    "file-defaults": () => fileDefaultsJson(),
    "login-keys": () => sectionKeys("login"),
  },
  "docs/cli.md": { settings: cliSettingsTable, "config-keys": () => configFileKeys() },
};

/**
 * `text` with the body of each `<!-- name:begin ... -->` ... `<!-- name:end -->` region replaced. The begin
 * marker may carry a note for the reader after the name; it is kept as it is. Blank lines around the body
 * keep the markers out of the table in every markdown renderer.
 */
export function replaceRegions(text: string, regions: Record<string, string>, file: string): string {
  let result = text;
  for (const [name, body] of Object.entries(regions)) {
    const begin = `<!-- ${name}:begin`;
    const end = `<!-- ${name}:end -->`;
    const start = result.indexOf(begin);
    if (start < 0 || result.indexOf(begin, start + 1) >= 0) {
      throw new Error(`${file}: needs exactly one "${begin} -->" marker`);
    }
    const bodyStart = result.indexOf("-->", start) + "-->".length;
    const stop = result.indexOf(end, bodyStart);
    if (stop < 0) throw new Error(`${file}: "${begin}" has no "${end}" after it`);
    result = `${result.slice(0, bodyStart)}\n\n${body}\n\n${result.slice(stop)}`;
  }
  return result;
}

/** A file's text as `npm run docs:config` would write it. */
export function renderDoc(file: string, text: string): string {
  const regions = generatedDocs[file];
  if (!regions) throw new Error(`${file} has no generated regions`);
  return replaceRegions(
    text,
    Object.fromEntries(Object.entries(regions).map(([name, render]) => [name, render()])),
    file,
  );
}
