import { hkdfSync, type KeyObject } from "node:crypto";
import type { KeyRing, RingKey } from "./key-ring.ts";

/**
 * Keys for the search cursors' MAC, derived with HKDF-SHA256 from the token key ring's private material
 * under a label of their own: every instance configured with the same GATEWAY_JWT_SECRET or
 * GATEWAY_JWT_KEYS derives the same keys, so a cursor issued by one instance is honoured by another,
 * and no new secret has to be distributed. The label keeps a cursor MAC from ever being a token
 * signature (or the reverse), even over the same secret.
 */
const INFO = "gateway search-cursor v1";
const SALT = "gateway";

export interface CursorKeys {
  /** Derived from the ring's active key: what new cursors are signed with. */
  signing: Uint8Array;
  /** The active key's and every verify-only key's: a cursor issued before a rotation still opens. */
  verifying: readonly Uint8Array[];
}

const derived = new WeakMap<KeyRing, CursorKeys>();

function material(key: RingKey): Uint8Array {
  if (key.sign instanceof Uint8Array) return key.sign;
  return (key.sign as KeyObject).export({ format: "der", type: "pkcs8" });
}

function derive(key: RingKey): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", material(key), SALT, INFO, 32));
}

/** Derived once per ring; a reloaded ring (a rotation) derives its own. */
export function cursorKeys(ring: KeyRing): CursorKeys {
  let keys = derived.get(ring);
  if (keys === undefined) {
    const signing = derive(ring.active);
    const others = [...ring.verifiers.values()].filter((k) => k !== ring.active).map(derive);
    keys = { signing, verifying: [signing, ...others] };
    derived.set(ring, keys);
  }
  return keys;
}
