import type { KeyRing } from "./key-ring.ts";

/** The ring in use, replaced whole on reload; listeners drop whatever they derived from the old one. */
export class KeyRingHolder {
  #ring: KeyRing;
  readonly #listeners = new Set<(ring: KeyRing) => void>();

  constructor(ring: KeyRing) {
    this.#ring = ring;
  }

  get current(): KeyRing {
    return this.#ring;
  }

  replace(ring: KeyRing): void {
    this.#ring = ring;
    for (const listener of this.#listeners) listener(ring);
  }

  onChange(listener: (ring: KeyRing) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
