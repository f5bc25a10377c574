/**
 * argon2id, the same cost for real and dummy hashes so that both verifications take the same time.
 * Bun's default cost (64 MiB, 2 passes: ~170 ms here) unless GATEWAY_REFERENCE_HASH_COST=low (4 MiB,
 * 1 pass: ~6 ms), which the test suite sets: four copies of it at once on two cores spent most of their
 * time hashing demo passwords. This is the demo backend's own knob; a real Users service picks its cost.
 */
function options(): Bun.Password.Argon2Algorithm {
  return process.env.GATEWAY_REFERENCE_HASH_COST === "low"
    ? { algorithm: "argon2id", memoryCost: 4096, timeCost: 1 }
    : { algorithm: "argon2id" };
}

let dummyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, options());
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
