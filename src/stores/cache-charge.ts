/**
 * What one in-process cache entry is charged against `GATEWAY_CACHE_MAX_BYTES`: an upper estimate of the
 * heap it really holds, so the budget bounds memory rather than payload. JSC keeps a string as Latin-1
 * (1 byte per char) when every char fits, else UTF-16 (2 bytes per char); telling the two apart would
 * need a scan, so a string is charged 1 byte a char when it is pure ASCII (its UTF-8 length equals its
 * length, a native check) and 2 otherwise. ENTRY_OVERHEAD covers the rest: the key's and the value's
 * string headers, the entry object, its map slot and list links. It was measured (docs/performance.md,
 * "Byte accounting") by filling a store with the bench's answers and comparing with the heap's growth.
 */
export const ENTRY_OVERHEAD = 320;

export function stringCharge(text: string): number {
  return Buffer.byteLength(text) === text.length ? text.length : 2 * text.length;
}

export function entryCharge(key: string, value: string): number {
  return stringCharge(key) + stringCharge(value) + ENTRY_OVERHEAD;
}
