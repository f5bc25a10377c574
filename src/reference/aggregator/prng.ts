/** 32-bit FNV-1a: a stable seed from a string, so each product's numbers depend only on its own key. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: tiny, fast and good enough for demo data; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A generator seeded by a key such as "shopnow|apple-iphone-15-128gb". Keying per item (instead of one
 * stream for the whole catalog) means adding a product does not reshuffle the prices of all others.
 */
export function rngFor(key: string): () => number {
  return mulberry32(fnv1a(key));
}

export function between(rng: () => number, min: number, max: number): number {
  return min + (max - min) * rng();
}
