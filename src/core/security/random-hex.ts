import { randomFillSync } from "node:crypto";

// Trace and span ids need randomness on every request; one syscall per 4 KiB instead of per id.
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

/** `bytes` cryptographically random bytes as lower-case hex. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString("hex", offset, offset + bytes);
  offset += bytes;
  return hex;
}
