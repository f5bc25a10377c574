import type { Behaviour } from "./fake-backend.ts";

const encoder = new TextEncoder();

/**
 * An Aggregator's NDJSON stream that sends one marketplace's answer and then nothing, until the gateway
 * lets go of it: what a stream still open at shutdown looks like upstream. `closed` counts the calls the
 * gateway gave up (the connection aborted or the body cancelled), so a test sees the cancellation itself.
 */
export function heldStream(first = "shopnow") {
  let closed = 0;
  const waiting: (() => void)[] = [];
  const behave: Behaviour = (request) => {
    let over = false;
    const close = () => {
      if (over) return;
      over = true;
      closed += 1;
      for (const wake of waiting.splice(0)) wake();
    };
    request.signal.addEventListener("abort", close);
    const product = {
      id: `${first}:1`,
      title: "Phone 1",
      price: 101,
      currency: "USD",
      url: "https://x.example/p/1",
      source: first,
    };
    const line = `${JSON.stringify({ source: { name: first, ok: true, took_ms: 1, results: [product] } })}\n`;
    return new Response(
      new ReadableStream({ start: (controller) => controller.enqueue(encoder.encode(line)), cancel: close }),
      { headers: { "content-type": "application/x-ndjson" } },
    );
  };
  return {
    behave,
    get closed() {
      return closed;
    },
    /** Resolves once `count` calls have been given up; the test's timeout fails it otherwise. */
    async closedAtLeast(count: number): Promise<void> {
      while (closed < count) await new Promise<void>((wake) => waiting.push(wake));
    },
  };
}
