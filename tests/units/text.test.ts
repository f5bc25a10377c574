import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { codePointsWithin, Text } from "../../src/models/text.ts";
import { User } from "../../src/models/user.ts";

const EMOJI = "😀";

describe("Text: string bounds in code points, as JSON Schema counts them", () => {
  test("codePointsWithin decides at the bounds, whatever the units say", () => {
    expect(codePointsWithin(EMOJI.repeat(5), 1, 5)).toBe(true);
    expect(codePointsWithin(EMOJI.repeat(6), 1, 5)).toBe(false);
    expect(codePointsWithin(`${"a".repeat(4)}${EMOJI}`, 1, 5)).toBe(true);
    expect(codePointsWithin(EMOJI, 2, 5)).toBe(false);
    expect(codePointsWithin("", 1, 5)).toBe(false);
    expect(codePointsWithin("", 0, 5)).toBe(true);
  });

  test("a Text schema checks bounds in code points and its pattern", () => {
    const schema = Text({ minLength: 1, maxLength: 3, pattern: "^[^x]*$" });
    expect(Value.Check(schema, EMOJI.repeat(3))).toBe(true);
    expect(Value.Check(schema, EMOJI.repeat(4))).toBe(false);
    expect(Value.Check(schema, "x")).toBe(false);
    expect(Value.Check(schema, 3)).toBe(false);
  });

  test("the Users contract takes an internationalized email of 254 code points", () => {
    const user = { id: "00000000-0000-4000-8000-000000000000", subscription: "free", expires_at: null };
    const at254 = `${"é".repeat(100)}${EMOJI.repeat(144)}@x.example`;
    expect([...at254].length).toBe(254);
    expect(Value.Check(User, { ...user, email: at254 })).toBe(true);
    expect(Value.Check(User, { ...user, email: `${EMOJI}${at254}` })).toBe(false);
  });
});
