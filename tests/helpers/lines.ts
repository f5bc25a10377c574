/**
 * Reads a child's output until a line matches, and returns that line. The rest of the stream keeps being
 * read (into `seen`, when given) so a chatty child never blocks on a full pipe.
 */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  seen: string[] = [],
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${pattern}: ${buffer}`);
    buffer += decoder.decode(value);
    const line = buffer.split("\n").find((l) => pattern.test(l));
    if (line) {
      seen.push(buffer);
      (async () => {
        for (;;) {
          const next = await reader.read();
          if (next.done) return;
          seen.push(decoder.decode(next.value));
        }
      })();
      return line;
    }
  }
}
