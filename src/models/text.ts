import { Kind, type StringOptions, type TUnsafe, Type, TypeRegistry } from "@sinclair/typebox";

/**
 * Whether a string has `min` to `max` Unicode code points: what JSON Schema's `minLength`/`maxLength`
 * count (RFC 8259 characters), and so what a bound in the published document means. TypeBox's own
 * `minLength`/`maxLength` count UTF-16 units (`String.length`), twice as many for an emoji.
 */
export function codePointsWithin(value: string, min: number, max: number): boolean {
  // A string has at most as many code points as UTF-16 units and at least half as many: count only
  // when the units alone cannot decide.
  if (value.length < min || value.length > 2 * max) return false;
  if (value.length <= max && value.length / 2 >= min) return true;
  const points = [...value].length;
  return points >= min && points <= max;
}

interface TextSchema {
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

const patterns = new Map<string, RegExp>();
function matches(pattern: string, value: string): boolean {
  let regex = patterns.get(pattern);
  if (!regex) {
    // Compiled as TypeBox compiles `pattern` (no flags), so a Text and a t.String agree on a pattern.
    regex = new RegExp(pattern);
    patterns.set(pattern, regex);
  }
  return regex.test(value);
}

TypeRegistry.Set<TextSchema>(
  "Text",
  (schema, value) =>
    typeof value === "string" &&
    codePointsWithin(value, schema.minLength ?? 0, schema.maxLength ?? Number.POSITIVE_INFINITY) &&
    (schema.pattern === undefined || matches(schema.pattern, value)),
);

/**
 * A string whose length bounds are checked in code points, as the document states them: for the
 * strings of a backend's contract, where any Unicode may come, so that what the document allows is
 * what the gateway accepts. Shown in the document as a plain `type: string` with the same bounds.
 */
export const Text = (options: StringOptions = {}): TUnsafe<string> =>
  Type.Unsafe<string>({ ...options, [Kind]: "Text", type: "string" });
