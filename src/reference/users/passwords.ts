/**
 * argon2id with Bun's default cost, the same for real and dummy hashes so that both verifications
 * take the same time.
 */
const OPTIONS = { algorithm: "argon2id" } as const;

let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, OPTIONS);
}

/**
 * Hash used when the email is unknown, so a miss costs one argon2 verification like a hit does and
 * response timing does not reveal which emails exist. Made on first use, not at import.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`dummy-${crypto.randomUUID()}`);
  return dummyHash;
}

/** Verifies against `hash`, or against the dummy hash (always false) when there is no user. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (hash === null) {
    await Bun.password.verify(password, await dummyPasswordHash());
    return false;
  }
  return Bun.password.verify(password, hash);
}
