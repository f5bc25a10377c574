/**
 * A clock that moves only when told: a test skips a TTL, a circuit's open time or a back-off with
 * `advance` instead of sleeping through it, so a loaded machine cannot make it late or early. It starts
 * at the real time so stamps it gives look like real ones.
 */
export class FakeClock {
  #ms = Date.now();

  /** Pass this (not the object) where a `() => number` clock is taken. */
  readonly now = (): number => this.#ms;

  advance(ms: number): void {
    this.#ms += ms;
  }
}
