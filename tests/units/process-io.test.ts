import { expect, test } from "bun:test";
import { processIO } from "../../cli/lib/process-io.ts";

// The served gateway's access lines went out one write(2) each, ~5 µs of a cache hit's ~30 µs.
test("the process's log lines leave stdout together at the end of the turn, in order, none lost", async () => {
  const writes: string[] = [];
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const { logLine } = processIO();
    expect(logLine).toBeDefined();
    for (const line of ["one", "two", "three"]) logLine?.(line);
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.stdout.write = original;
  }
  expect(writes).toEqual(["one\ntwo\nthree\n"]);
});
