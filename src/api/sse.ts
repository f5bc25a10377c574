/**
 * Server-Sent Events as the WHATWG HTML standard frames them: `event:` and one `data:` line per message,
 * a blank line ending it, and `:` comment lines that a client ignores (heartbeats). Written as text into
 * the Response's own stream rather than through Elysia's generator handlers, so that the gateway decides
 * when the stream ends, what a disconnect cancels, and when a heartbeat goes out while nothing else does.
 */

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  // Neither a browser nor a proxy may keep or replay a stream; nginx would otherwise buffer it whole.
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
} as const;

export const HEARTBEAT = ": heartbeat\n\n";

/** `data` must be one line (JSON text is): a multi-line data field would need one `data:` per line. */
export function sseMessage(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}

export interface SseWriter {
  send(chunk: string): void;
  /** Ends the stream after what was sent; later sends are dropped. */
  close(): void;
}

interface Set {
  headers: Record<string, unknown>;
}

const encoder = new TextEncoder();

/**
 * An event-stream Response. `start` begins producing and returns what stops it, which runs once, when
 * the stream closes or the client goes away (`signal`, or the body cancelled), whichever comes first.
 * Heartbeats go out every `heartbeatMs` until then. The headers gathered so far move into the Response,
 * as json-text.ts does, so that Elysia passes the Response (and its stream) through untouched.
 */
export function sseResponse(
  set: Set,
  signal: AbortSignal,
  heartbeatMs: number,
  start: (writer: SseWriter) => () => void,
): Response {
  const headers: Record<string, string> = { ...SSE_HEADERS };
  for (const name in set.headers) headers[name] = String(set.headers[name]);
  set.headers = {};
  let finished = false;
  let stop = () => {};
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearInterval(heartbeat);
    signal.removeEventListener("abort", finish);
    stop();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const writer: SseWriter = {
        send(chunk) {
          if (finished) return;
          try {
            controller.enqueue(encoder.encode(chunk));
          } catch {
            finish();
          }
        },
        close() {
          if (finished) return;
          finish();
          try {
            controller.close();
          } catch {
            // Already closed by the client leaving.
          }
        },
      };
      signal.addEventListener("abort", finish, { once: true });
      heartbeat = setInterval(() => writer.send(HEARTBEAT), heartbeatMs);
      stop = start(writer);
      if (finished) stop();
    },
    cancel() {
      finish();
    },
  });
  return new Response(body, { headers });
}
