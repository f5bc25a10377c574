/** One item of an event stream as it arrived: an event (its `data` parsed as JSON) or a comment line. */
export type SseItem = { event: string; data: unknown } | { comment: string };

/**
 * Reads an SSE body as the WHATWG HTML parser frames it (blank-line terminated blocks, `:` comments),
 * yielding each item as soon as its block is complete, so a test sees the order things arrived in.
 */
export async function* readSse(response: Response): AsyncGenerator<SseItem> {
  const reader = response.body?.getReader();
  if (!reader) return;
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end = buffered.indexOf("\n\n");
      while (end !== -1) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        end = buffered.indexOf("\n\n");
        yield* itemsOf(block);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function* itemsOf(block: string): Generator<SseItem> {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) yield { comment: line.slice(1).trim() };
    else if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (data.length > 0) yield { event, data: JSON.parse(data.join("\n")) };
}

export const isEvent = (item: SseItem): item is { event: string; data: unknown } => "event" in item;

/** Every event of a stream read to its end, comments left out. */
export async function allEvents(response: Response): Promise<{ event: string; data: unknown }[]> {
  const events: { event: string; data: unknown }[] = [];
  for await (const item of readSse(response)) if (isEvent(item)) events.push(item);
  return events;
}
