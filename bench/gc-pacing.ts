/**
 * What a live byte costs in peak RSS under churn, with no gateway code at all: hold `live` MiB of the
 * bench's answers (as strings, as Buffers, or one Uint8Array slab), then allocate like 256 requests in
 * flight (an answer's text, its parse, a spliced copy, replaced round-robin) for 6 s and report the
 * peak RSS. The difference from `live 0` over `live` is the factor by which a cache's budget turns into
 * RSS on this runtime (docs/performance.md, "Cache admission").
 * Run: bun bench/gc-pacing.ts <live MiB> [strings|buffers|slab]
 */
const liveMiB = Number(process.argv[2] ?? 16);
const mode = process.argv[3] ?? "strings";

function answerText(i: number): string {
  const results = Array.from({ length: 20 }, (_, j) => ({
    id: `shop:${i}:${j}`,
    title: `Benchmark Phone ${j}, 128GB`,
    price: 100 + j,
    currency: "USD",
    url: `https://shop.example/p/${j}`,
    source: "shop",
    rating: 4.5,
  }));
  return JSON.stringify({ limit: 20, results, sources: [{ name: "shop", ok: true, took_ms: 1 }] });
}

const held: unknown[] = [];
const slab = mode === "slab" ? new Uint8Array(liveMiB * 1024 * 1024) : undefined;
if (slab) held.push(slab);
const encoder = new TextEncoder();
let bytes = 0;
let offset = 0;
let i = 0;
while (bytes < liveMiB * 1024 * 1024) {
  const text = answerText(i++);
  if (slab) {
    const { read, written } = encoder.encodeInto(text, slab.subarray(offset));
    offset += written;
    if (read < text.length) break;
  } else held.push(mode === "buffers" ? Buffer.from(text) : text);
  bytes += text.length;
}
Bun.gc(true);
const filled = process.memoryUsage().rss;
let peak = filled;
const inflight: unknown[] = new Array(256);
const end = Date.now() + 6000;
let n = 0;
while (Date.now() < end) {
  for (let k = 0; k < 1000; k++) {
    const text = answerText(i++);
    inflight[n++ % 256] = [text, JSON.parse(text), `prefix${text}`];
  }
  peak = Math.max(peak, process.memoryUsage().rss);
}
const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
// Naming `held` here keeps it alive to the end: unused after the fill, the JIT may let it be collected.
console.log(
  `${mode}, live ${liveMiB} MiB (${held.length} held): RSS after the fill ${mib(filled)} MiB, peak under churn ${mib(peak)} MiB`,
);
