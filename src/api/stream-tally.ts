/** How a stream ended: its `done`, an `error` event, its client going away, or the gateway's drain. */
export type StreamOutcome = "done" | "error" | "disconnect" | "shutdown";

/**
 * What one event stream sent and how it ended, on its request's meta. The request pipeline writes the
 * access log line and the request metrics when the stream ends rather than when its headers go out,
 * so the line has the real duration and outcome, and the stream counts as in flight until then.
 */
export class StreamTally {
  /** Events sent (`source`, `done`, `error`); heartbeats are not events. */
  events = 0;
  #outcome: StreamOutcome | undefined;
  #onEnd: (() => void) | undefined;

  get outcome(): StreamOutcome | undefined {
    return this.#outcome;
  }

  /** The first outcome is the one kept: a `done` followed by the socket closing is still a `done`. */
  end(outcome: StreamOutcome): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    const run = this.#onEnd;
    this.#onEnd = undefined;
    run?.();
  }

  /** Runs `run` once the stream has ended: at once if it has. */
  whenEnded(run: () => void): void {
    if (this.#outcome !== undefined) run();
    else this.#onEnd = run;
  }
}
