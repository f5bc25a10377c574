import { ShuttingDown } from "../core/errors.ts";

/**
 * How long before the drain's end a stream must have ended on its own to be left running: the time its
 * last event has to reach the socket before the remaining connections are closed.
 */
export const DRAIN_MARGIN_MS = 250;

interface Held {
  deadline: number;
  interrupt: AbortController;
}

/**
 * The event streams open now, as the drain sees them (docs/resilience.md, "Streams and shutdown"). When
 * the drain starts, a stream whose own deadline falls after the drain's end (less the margin) could be
 * cut mid-way, so it is ended at once with a 503 `error` event and its client retries elsewhere, while
 * the load balancer still has time to send it there; one that will end in time runs to its `done` (or
 * its 504). A stream asked for while draining that could not end in time is refused before it starts.
 */
export class OpenStreams {
  readonly #held = new Set<Held>();
  #drainEndsAt: number | undefined;

  get size(): number {
    return this.#held.size;
  }

  /** True when a stream with this deadline (epoch ms) would outlive a drain already under way. */
  refuses(deadline: number | undefined): boolean {
    return this.#drainEndsAt !== undefined && outlives(deadline, this.#drainEndsAt);
  }

  /** Counts a stream as open until `release`; `signal` aborts (reason `ShuttingDown`) to end it early. */
  hold(deadline: number | undefined): { signal: AbortSignal; release(): void } {
    const held: Held = { deadline: deadline ?? Number.POSITIVE_INFINITY, interrupt: new AbortController() };
    this.#held.add(held);
    if (this.#drainEndsAt !== undefined && outlives(held.deadline, this.#drainEndsAt)) end(held);
    return { signal: held.interrupt.signal, release: () => void this.#held.delete(held) };
  }

  /** The drain has begun and ends at `endsAt` (epoch ms): every stream that would outlive it ends now. */
  drain(endsAt: number): void {
    this.#drainEndsAt = endsAt;
    for (const held of this.#held) if (outlives(held.deadline, endsAt)) end(held);
  }

  /** The drain's end came with streams still open (a deadline timer that did not fire in time). */
  endAll(): void {
    this.#drainEndsAt = Number.NEGATIVE_INFINITY;
    for (const held of this.#held) end(held);
  }
}

const outlives = (deadline: number | undefined, endsAt: number) =>
  (deadline ?? Number.POSITIVE_INFINITY) > endsAt - DRAIN_MARGIN_MS;

function end(held: Held): void {
  if (!held.interrupt.signal.aborted) held.interrupt.abort(new ShuttingDown());
}
