import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateJwk } from "../../src/core/security/key-gen.ts";
import { type AsymmetricAlg, CREATED, keyRingOf, STATE } from "../../src/core/security/key-ring.ts";

export type Jwk = ReturnType<typeof generateJwk>;

/** A private JWK of the given state; `retired` drops the state member, as the ring format says. */
export function jwkOf(alg: AsymmetricAlg, state: "active" | "verify-only" | "retired"): Jwk {
  const jwk = generateJwk(alg, state === "retired" ? "verify-only" : state);
  if (state === "retired") delete (jwk as Record<string, unknown>)[STATE];
  return jwk;
}

export function withState(jwk: Jwk, state: "active" | "verify-only" | "retired"): Jwk {
  const copy: Record<string, unknown> = { ...jwk };
  if (state === "retired") delete copy[STATE];
  else copy[STATE] = state;
  return copy as Jwk;
}

export const ringOf = (...jwks: Jwk[]) => keyRingOf(jwks);

/** A fresh directory holding one file per key, as `gateway keys generate --dir` writes them. */
export function keyDir(...jwks: Jwk[]): string {
  const dir = mkdtempSync(join(tmpdir(), "gateway-keys-"));
  for (const jwk of jwks) writeKey(dir, jwk);
  return dir;
}

export function writeKey(dir: string, jwk: Jwk): void {
  writeFileSync(join(dir, `${jwk.kid}.json`), JSON.stringify(jwk), { mode: 0o600 });
}

export { CREATED, STATE };
