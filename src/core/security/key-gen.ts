import { generateKeyPairSync, randomBytes } from "node:crypto";
import { type AsymmetricAlg, CREATED, type KeyRing, type KeyState, keyRingOf, STATE } from "./key-ring.ts";

/**
 * A new private signing key as a JWK, with the ring's own members. The kid says when the key was made
 * (operators rotate by date) plus 32 random bits, so two keys made the same day never collide.
 */
export function generateJwk(alg: AsymmetricAlg, state: Exclude<KeyState, "retired">, now = new Date()) {
  const pair =
    alg === "EdDSA" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = pair.privateKey.export({ format: "jwk" });
  const kid = `${now.toISOString().slice(0, 10)}-${randomBytes(4).toString("hex")}`;
  return { ...jwk, kid, alg, use: "sig", [STATE]: state, [CREATED]: now.toISOString() };
}

/** Demo mode signs with a fresh EdDSA key per start unless keys are given, so demo tokens die with the process. */
export function demoKeyRing(): KeyRing {
  return keyRingOf([generateJwk("EdDSA", "active")], "demo key ring");
}
