import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Caller } from "../../src/models/caller.ts";
import type { SearchInput } from "../../src/services/search-service.ts";
import { DEMO } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

let stack: Stack;
let premium: Caller;
let free: Caller;
beforeAll(async () => {
  stack = await startStack();
  const ctx = { requestId: "normalized-inputs" };
  const caller = async (user: { email: string; password: string }) =>
    stack.services.auth.authenticate(`Bearer ${await tokenFor(stack, user)}`, ctx);
  [premium, free] = await Promise.all([caller(DEMO.premium), caller(DEMO.free)]);
});
afterAll(() => stack.close());

const searchOf = async (input: SearchInput, caller: Caller) => {
  const admission = await stack.services.search.admit(input, caller);
  if (!("search" in admission) || admission.search === undefined) throw new Error("not admitted");
  return admission.search;
};

/**
 * A frozen input is one GET /search shares between the requests of a hot query string: its normalized
 * search is kept beside it per plan. Any other input (a POST body, a cold string) is normalized anew.
 */
describe("SearchService.admit and a shared input", () => {
  test("a frozen input's search is normalized once per plan, frozen; another input's every time", async () => {
    const given = { query: "  Normalized  Phone ", categories: ["phones"], limit: 50 };
    const shared = Object.freeze({
      ...given,
      categories: Object.freeze([...given.categories]),
    }) as SearchInput;
    const first = await searchOf(shared, premium);
    expect(await searchOf(shared, premium)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.categories)).toBe(true);
    expect(first).toMatchObject({ query: "Normalized  Phone", limit: 50 });
    // The free plan's clamp is its own, kept beside the premium one.
    const byFree = await searchOf(shared, free);
    expect(byFree.limit).toBe(20);
    expect(await searchOf(shared, free)).toBe(byFree);
    expect(await searchOf(shared, premium)).toBe(first);
    const fresh = await searchOf({ ...given }, premium);
    expect(fresh).not.toBe(await searchOf({ ...given }, premium));
    expect(fresh).toEqual({ ...first });
  });

  test("a frozen input that is not valid is refused every time, never kept", async () => {
    const bad = Object.freeze({ query: "x", categories: Object.freeze(["NOT VALID"]) }) as SearchInput;
    for (let i = 0; i < 2; i++) {
      const admission = await stack.services.search.admit(bad, premium);
      expect("invalid" in admission && admission.invalid).toBeTruthy();
    }
  });
});
