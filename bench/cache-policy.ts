/**
 * Hit ratio of the in-process cache's policies on the bench's Zipf mix, deterministically: the Zipf(1.0)
 * trace over 100,000 queries (bench/lib/zipf.ts, seeded) replayed through MemoryCacheStore the way the
 * gateway uses it (a lookup, and on a miss a save), with each policy at the same bounds. Lifetimes are
 * longer than the trace, so only the policy decides what is there. Answers are one text of the bench's
 * shape (bench/lib/backends.ts), so a byte budget holds as many as it would in the gateway.
 * Run: bun bench/cache-policy.ts [--requests 1000000] [--warmup 200000]
 */
import { SearchCache } from "../src/services/search-cache.ts";
import { entryCharge } from "../src/stores/cache-charge.ts";
import type { CACHE_ADMISSIONS } from "../src/stores/cache-policy.ts";
import { MemoryCacheStore } from "../src/stores/memory-cache-store.ts";
import { ZIPF_DISTINCT, zipfRanks } from "./lib/zipf.ts";

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const requests = arg("--requests", 1_000_000);
const warmup = arg("--warmup", 200_000);

const products = Array.from({ length: 20 }, (_, i) => ({
  id: `shop:${i}`,
  title: `Benchmark Phone ${i}, 128GB`,
  price: 100 + i,
  currency: "USD",
  url: `https://shop.example/p/${i}`,
  source: "shop",
  rating: 4.5,
}));
const answer = JSON.stringify({
  limit: 20,
  results: products,
  sources: [{ name: "shop", ok: true, took_ms: 1 }],
});

const keys = Array.from({ length: ZIPF_DISTINCT + 1 }, (_, rank) =>
  SearchCache.key({ query: `zipf${rank}`, categories: [], limit: 20 }),
);
const next = zipfRanks();
const trace = new Uint32Array(warmup + requests);
for (let i = 0; i < trace.length; i++) trace[i] = next();

const MiB = 1024 * 1024;
const sizes: { label: string; entries: number; bytes: number }[] = [
  { label: "1,000 entries", entries: 1_000, bytes: 1 << 30 },
  { label: "10,000 entries", entries: 10_000, bytes: 1 << 30 },
  { label: "4 MiB (10,000 entries)", entries: 10_000, bytes: 4 * MiB },
  { label: "8 MiB (10,000 entries)", entries: 10_000, bytes: 8 * MiB },
  { label: "16 MiB (10,000 entries), the default", entries: 10_000, bytes: 16 * MiB },
  { label: "64 MiB (10,000 entries)", entries: 10_000, bytes: 64 * MiB },
];

function replay(admission: (typeof CACHE_ADMISSIONS)[number], entries: number, bytes: number) {
  const store = new MemoryCacheStore(entries, bytes, () => 0, { admission, seed: 1 });
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const key = keys[trace[i] as number] as string;
    if (store.get(key) !== undefined) {
      if (i >= warmup) hits += 1;
    } else {
      store.set(key, answer, 1e12);
    }
  }
  const held = store.size;
  store.close();
  return { ratio: hits / requests, held };
}

console.log(
  `Zipf(1.0) over ${ZIPF_DISTINCT.toLocaleString("en")} queries, ${requests.toLocaleString("en")} requests after ${warmup.toLocaleString("en")} of warm-up; one answer charged ${entryCharge(keys[1] as string, answer).toLocaleString("en")} bytes\n`,
);
console.log("| bound | LRU hit ratio | TinyLFU hit ratio | TinyLFU - LRU | entries held (LRU / TinyLFU) |");
console.log("| --- | --- | --- | --- | --- |");
for (const { label, entries, bytes } of sizes) {
  const lru = replay("lru", entries, bytes);
  const tinylfu = replay("tinylfu", entries, bytes);
  console.log(
    `| ${label} | ${lru.ratio.toFixed(3)} | ${tinylfu.ratio.toFixed(3)} | ${(tinylfu.ratio - lru.ratio >= 0 ? "+" : "") + (tinylfu.ratio - lru.ratio).toFixed(3)} | ${lru.held.toLocaleString("en")} / ${tinylfu.held.toLocaleString("en")} |`,
  );
}
