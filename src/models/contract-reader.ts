import { Kind, type Static, type TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { codePointsWithin } from "./text.ts";

/**
 * A backend's answer checked and copied in one pass: the value the schema describes, holding only the
 * fields the schema names, or `undefined` when it breaks the schema. It accepts exactly what
 * `TypeCompiler.Check` accepts (a test holds the two together), but it also drops every field the
 * schema does not name, at every depth, so no later step has to walk the answer again to copy it.
 *
 * Generated as one function per schema at start (like TypeCompiler's own code), because the answer is
 * read on every miss and TypeCompiler checks a custom kind such as `Text` through a registry lookup
 * per string. Only the kinds the backend contracts use are known; any other is an error at start, not a
 * silent pass.
 */
export interface ContractReader<T extends TSchema> {
  read(value: unknown): Static<T> | undefined;
  /** The first place `value` breaks the schema, for the error message (only called after a failed read). */
  firstError(value: unknown): string;
}

const INVALID = Symbol("invalid");
const EXTRA = Symbol("extra");

interface Emitter {
  constants: unknown[];
  names: number;
  /**
   * Copy: build the value from its checked fields. Check: build nothing, but note in `extra` whether any
   * object holds a key the schema does not name (then the caller copies; otherwise the value is already
   * exactly the contract's and is returned as it is, allocating nothing).
   */
  copy: boolean;
}

function constant(emitter: Emitter, value: unknown): string {
  emitter.constants.push(value);
  return `k[${emitter.constants.length - 1}]`;
}

function local(emitter: Emitter, prefix: string): string {
  emitter.names += 1;
  return `${prefix}${emitter.names}`;
}

/** Code that checks the expression `source` (a local), leaving what is read in the returned local. */
function emit(schema: TSchema, source: string, emitter: Emitter, lines: string[]): string {
  const fail = `return k.INVALID;`;
  switch (schema[Kind]) {
    case "Object":
      return emitObject(schema, source, emitter, lines);
    case "Array": {
      unsupported(schema, ["uniqueItems", "contains", "minContains", "maxContains"]);
      const items = schema.items as TSchema;
      lines.push(`if (!Array.isArray(${source})) ${fail}`);
      if (schema.minItems !== undefined)
        lines.push(`if (${source}.length < ${Number(schema.minItems)}) ${fail}`);
      if (schema.maxItems !== undefined)
        lines.push(`if (${source}.length > ${Number(schema.maxItems)}) ${fail}`);
      const out = emitter.copy ? local(emitter, "a") : source;
      const index = local(emitter, "i");
      const item = local(emitter, "e");
      if (emitter.copy) lines.push(`const ${out} = [];`);
      lines.push(`for (let ${index} = 0; ${index} < ${source}.length; ${index}++) {`);
      lines.push(`const ${item} = ${source}[${index}];`);
      const read = emit(items, item, emitter, lines);
      if (emitter.copy) lines.push(`${out}.push(${read});`);
      lines.push("}");
      return out;
    }
    case "String":
      if (schema.format !== undefined)
        throw new TypeError(`contract reader: string format "${schema.format}"`);
      lines.push(`if (typeof ${source} !== "string") ${fail}`);
      // TypeBox's own String counts UTF-16 units; Text (below) counts code points.
      if (schema.minLength !== undefined)
        lines.push(`if (${source}.length < ${Number(schema.minLength)}) ${fail}`);
      if (schema.maxLength !== undefined)
        lines.push(`if (${source}.length > ${Number(schema.maxLength)}) ${fail}`);
      emitPattern(schema, source, emitter, lines);
      return source;
    case "Text": {
      const min = Number(schema.minLength ?? 0);
      const max = schema.maxLength === undefined ? "Infinity" : String(Number(schema.maxLength));
      lines.push(
        `if (typeof ${source} !== "string" || !k.codePointsWithin(${source}, ${min}, ${max})) ${fail}`,
      );
      emitPattern(schema, source, emitter, lines);
      return source;
    }
    case "Number":
    case "Integer":
      lines.push(
        schema[Kind] === "Integer"
          ? `if (!Number.isInteger(${source})) ${fail}`
          : `if (typeof ${source} !== "number" || !Number.isFinite(${source})) ${fail}`,
      );
      for (const [keyword, op] of [
        ["minimum", "<"],
        ["maximum", ">"],
        ["exclusiveMinimum", "<="],
        ["exclusiveMaximum", ">="],
      ] as const) {
        if (schema[keyword] !== undefined)
          lines.push(`if (${source} ${op} ${Number(schema[keyword])}) ${fail}`);
      }
      if (schema.multipleOf !== undefined)
        lines.push(`if (${source} % ${Number(schema.multipleOf)} !== 0) ${fail}`);
      return source;
    case "Boolean":
      lines.push(`if (typeof ${source} !== "boolean") ${fail}`);
      return source;
    case "Null":
      lines.push(`if (${source} !== null) ${fail}`);
      return source;
    case "Literal":
      lines.push(`if (${source} !== ${constant(emitter, schema.const)}) ${fail}`);
      return source;
    case "Union": {
      // Each branch is a reader of its own; the first that reads the value wins, as in TypeBox.
      const branches = (schema.anyOf as TSchema[]).map((branch) =>
        constant(emitter, compileFunction(branch, emitter.copy)),
      );
      const out = local(emitter, "u");
      lines.push(`let ${out} = k.INVALID;`);
      for (const branch of branches) lines.push(`if (${out} === k.INVALID) ${out} = ${branch}(${source});`);
      lines.push(`if (${out} === k.INVALID) ${fail}`);
      if (emitter.copy) return out;
      lines.push(`if (${out} === k.EXTRA) extra = true;`);
      return source;
    }
    default:
      throw new TypeError(`contract reader: unsupported schema kind "${String(schema[Kind])}"`);
  }
}

/** A keyword TypeBox would check and this reader does not know must not be ignored. */
function unsupported(schema: TSchema, keywords: string[]): void {
  for (const keyword of keywords) {
    if (schema[keyword] !== undefined)
      throw new TypeError(`contract reader: unsupported keyword "${keyword}"`);
  }
}

function emitPattern(schema: TSchema, source: string, emitter: Emitter, lines: string[]): void {
  // Compiled as TypeBox compiles `pattern` (no flags), so the two agree on every string.
  if (schema.pattern !== undefined) {
    lines.push(`if (!${constant(emitter, new RegExp(schema.pattern))}.test(${source})) return k.INVALID;`);
  }
}

function emitObject(schema: TSchema, source: string, emitter: Emitter, lines: string[]): string {
  unsupported(schema, ["additionalProperties", "patternProperties", "minProperties", "maxProperties"]);
  lines.push(
    `if (typeof ${source} !== "object" || ${source} === null || Array.isArray(${source})) return k.INVALID;`,
  );
  const required = new Set<string>(schema.required ?? []);
  const out = local(emitter, "o");
  const present = local(emitter, "n");
  const assigned: string[] = [];
  lines.push(`let ${present} = 0;`);
  for (const [key, property] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const name = JSON.stringify(key);
    const value = local(emitter, "p");
    lines.push(`const ${value} = ${source}[${name}];`);
    if (required.has(key)) {
      lines.push(`if (${value} === undefined) return k.INVALID;`, `${present}++;`);
      assigned.push(`${out}[${name}] = ${emit(property, value, emitter, lines)};`);
    } else {
      // Absent and undefined are the same to TypeBox's default policy (and JSON has no undefined).
      const inner: string[] = [];
      const read = emit(property, value, emitter, inner);
      lines.push(`let ${value}r;`, `if (${value} !== undefined) {`, ...inner, `${value}r = ${read};`);
      lines.push(`${present}++;`, "}");
      assigned.push(`if (${value}r !== undefined) ${out}[${name}] = ${value}r;`);
    }
  }
  if (!emitter.copy) {
    // Any key besides the named ones, own or inherited-enumerable (`__proto__` from JSON.parse is own).
    const key = local(emitter, "q");
    lines.push(
      `if (!extra) { for (const ${key} in ${source}) ${present}--; if (${present} !== 0) extra = true; }`,
    );
    return source;
  }
  // Built only once everything is checked, in the schema's key order, from the checked values alone.
  lines.push(`const ${out} = {};`, ...assigned);
  return out;
}

/** Copy mode: the copy or INVALID. Check mode: the value itself, EXTRA or INVALID. */
function compileFunction(schema: TSchema, copy: boolean): (value: unknown) => unknown {
  const emitter: Emitter = { constants: [], names: 0, copy };
  const lines: string[] = [];
  const out = emit(schema, "value", emitter, lines);
  const k = Object.assign(emitter.constants, { INVALID, EXTRA, codePointsWithin });
  const result = copy ? out : "extra ? k.EXTRA : value";
  const body = `return function read(value) {\nlet extra = false;\n${lines.join("\n")}\nreturn ${result};\n}`;
  return new Function("k", body)(k) as (value: unknown) => unknown;
}

export function compileReader<T extends TSchema>(schema: T): ContractReader<T> {
  const exact = compileFunction(schema, false);
  const copy = compileFunction(schema, true);
  let check: TypeCheck<T> | undefined;
  return {
    read: (value) => {
      const result = exact(value);
      if (result === INVALID) return undefined;
      // The common case, an answer with the contract's fields only, is passed on without a copy.
      return (result === EXTRA ? copy(value) : result) as Static<T>;
    },
    firstError: (value) => {
      check ??= TypeCompiler.Compile(schema);
      const first = check.Errors(value).First();
      return first ? ` (${first.path || "/"}: ${first.message})` : "";
    },
  };
}
