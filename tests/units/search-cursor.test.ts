import { describe, expect, test } from "bun:test";
import { InvalidCursor } from "../../src/core/errors.ts";
import { hmacRing } from "../../src/core/security/key-ring.ts";
import { KeyRingHolder } from "../../src/core/security/key-ring-holder.ts";
import { CURSOR_TTL_MS, SearchCursors } from "../../src/services/search-cursor.ts";
import { jwkOf, ringOf, withState } from "../helpers/keys.ts";

const SEARCH = {
  query: "iphone",
  categories: ["phones"],
  limit: 10,
  filters: { sort: "price_asc" as const },
};
const NEXT = { page: 2, offset: 10 };
const SECRET = "a-secret-of-at-least-thirty-two-bytes!!";

function refusal(open: () => unknown): string {
  try {
    open();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCursor);
    return (error as InvalidCursor).message;
  }
  throw new Error("the cursor opened");
}

describe("search cursors", () => {
  test("open where they were issued, for the same search", () => {
    const cursors = new SearchCursors(new KeyRingHolder(hmacRing(SECRET)));
    const cursor = cursors.issue(SEARCH, NEXT);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{58}$/);
    expect(cursors.open(cursor, SEARCH)).toEqual(NEXT);
    // Normalised like the cache key: case, spacing and category order do not make another search.
    expect(cursors.open(cursor, { ...SEARCH, query: "  IPhone " })).toEqual(NEXT);
  });

  test("another instance with the same secret opens them; one with another secret does not", () => {
    const cursor = new SearchCursors(new KeyRingHolder(hmacRing(SECRET))).issue(SEARCH, NEXT);
    expect(new SearchCursors(new KeyRingHolder(hmacRing(SECRET))).open(cursor, SEARCH)).toEqual(NEXT);
    const other = new SearchCursors(new KeyRingHolder(hmacRing(`${SECRET}?`)));
    expect(refusal(() => other.open(cursor, SEARCH))).toContain("altered");
  });

  test("every single-bit change of every byte is refused", () => {
    const cursors = new SearchCursors(new KeyRingHolder(hmacRing(SECRET)));
    const bytes = Buffer.from(cursors.issue(SEARCH, NEXT), "base64url");
    for (let at = 0; at < bytes.length; at++) {
      const changed = Buffer.from(bytes);
      changed[at] = (changed[at] as number) ^ 0x80;
      expect(refusal(() => cursors.open(changed.toString("base64url"), SEARCH))).toContain("altered");
    }
    expect(refusal(() => cursors.open(bytes.subarray(1).toString("base64url"), SEARCH))).toContain("altered");
  });

  test("a cursor for another search says so", () => {
    const cursors = new SearchCursors(new KeyRingHolder(hmacRing(SECRET)));
    const cursor = cursors.issue(SEARCH, NEXT);
    for (const other of [
      { ...SEARCH, query: "galaxy" },
      { ...SEARCH, limit: 11 },
      { ...SEARCH, categories: [] },
      { ...SEARCH, filters: {} },
      { ...SEARCH, filters: { sort: "price_asc" as const, currency: "EUR" } },
    ]) {
      expect(refusal(() => cursors.open(cursor, other))).toContain("another search");
    }
  });

  test("expires after a day", () => {
    let now = 1_800_000_000_000;
    const cursors = new SearchCursors(new KeyRingHolder(hmacRing(SECRET)), () => now);
    const cursor = cursors.issue(SEARCH, NEXT);
    now += CURSOR_TTL_MS - 1000;
    expect(cursors.open(cursor, SEARCH)).toEqual(NEXT);
    now += 1000;
    expect(refusal(() => cursors.open(cursor, SEARCH))).toContain("expired");
  });

  test("an asymmetric ring: a rotation keeps the old key's cursors while it verifies, not once retired", () => {
    const old = jwkOf("EdDSA", "active");
    const fresh = jwkOf("ES256", "active");
    const keys = new KeyRingHolder(ringOf(old));
    const cursors = new SearchCursors(keys);
    const cursor = cursors.issue(SEARCH, NEXT);
    keys.replace(ringOf(withState(old, "verify-only"), fresh));
    expect(cursors.open(cursor, SEARCH)).toEqual(NEXT);
    expect(cursors.issue(SEARCH, NEXT)).not.toBe(cursor);
    keys.replace(ringOf(withState(old, "retired"), fresh));
    expect(refusal(() => cursors.open(cursor, SEARCH))).toContain("altered");
  });
});
