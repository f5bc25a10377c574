/**
 * The oldest key of a Map, for eviction, in amortised O(1). `map.keys().next()` looks cheap, but a new
 * iterator starts at the first slot and steps over every deleted one, so a full Map that evicts on each
 * insert pays O(deletions) per call (17 µs at 10,000 entries on Bun 1.4). A live iterator instead goes on
 * where it stopped; that is exact as long as the caller deletes each key it is given: every key before
 * the cursor was then evicted through it, and keys re-inserted (LRU touch) or added land behind it.
 */
export class OldestKey<K> {
  #cursor: Iterator<K>;

  constructor(private readonly map: Map<K, unknown>) {
    this.#cursor = map.keys();
  }

  next(): K | undefined {
    let step = this.#cursor.next();
    // A finished iterator stays finished even when keys are added later, so start again.
    if (step.done) {
      this.#cursor = this.map.keys();
      step = this.#cursor.next();
    }
    return step.done ? undefined : step.value;
  }
}
