import { afterEach, describe, expect, test } from "bun:test";
import { hashPassword, verifyPassword } from "../../src/reference/users/passwords.ts";

const preset = process.env.GATEWAY_REFERENCE_HASH_COST;
afterEach(() => {
  process.env.GATEWAY_REFERENCE_HASH_COST = preset;
});

describe("reference password hashing", () => {
  test("argon2id at Bun's default cost unless the low cost is asked for", async () => {
    delete process.env.GATEWAY_REFERENCE_HASH_COST;
    const full = await hashPassword("pw");
    expect(full).toStartWith("$argon2id$v=19$m=65536,t=2,");
    process.env.GATEWAY_REFERENCE_HASH_COST = "low";
    const low = await hashPassword("pw");
    expect(low).toStartWith("$argon2id$v=19$m=4096,t=1,");
    // A hash carries its own cost: either verifies whatever the setting is now.
    expect(await verifyPassword("pw", full)).toBe(true);
    expect(await verifyPassword("nope", low)).toBe(false);
  });
});
