/**
 * Does the cache's byte budget bound the heap it really holds? Fills a MemoryCacheStore with N answers of
 * the bench's shape (bench/lib/backends.ts: 20 products, as the gateway stores them) under distinct keys,
 * nothing else holding them, and compares the bytes charged with the heap's growth after a full
 * collection (`bun:jsc` heapStats().heapSize, which is JSC's Heap::size: cells plus the "extra memory"
 * of string buffers outside them, so extraMemorySize is part of it, not to be added). The overhead per
 * entry beyond its strings' charge is what ENTRY_OVERHEAD (src/stores/cache-charge.ts) must cover.
 * Run: bun bench/cache-bytes.ts [entries, default 4000]
 */
import { heapStats } from "bun:jsc";
import { SearchCache } from "../src/services/search-cache.ts";
import { ENTRY_OVERHEAD, stringCharge } from "../src/stores/cache-charge.ts";
import { CACHE_ADMISSIONS } from "../src/stores/cache-policy.ts";
import { MemoryCacheStore } from "../src/stores/memory-cache-store.ts";

const entries = Number(process.argv[2] ?? 4000);

/** One answer's text: distinct per query (as every real answer is its own string), same shape. */
function answerText(query: number): string {
  const results = Array.from({ length: 20 }, (_, i) => ({
    id: `shop:${query}:${i}`,
    title: `Benchmark Phone ${i}, 128GB`,
    price: 100 + i,
    currency: "USD",
    url: `https://shop.example/p/${i}`,
    source: "shop",
    rating: 4.5,
  }));
  return JSON.stringify({ limit: 20, results, sources: [{ name: "shop", ok: true, took_ms: 1 }] });
}

function heap(): { size: number; extra: number; rss: number } {
  Bun.gc(true);
  Bun.gc(true);
  const stats = heapStats();
  return { size: stats.heapSize, extra: stats.extraMemorySize, rss: process.memoryUsage().rss };
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
console.log(`${entries} answers of ${answerText(0).length} chars each\n`);
console.log(
  `| policy | charged MB | heap growth MB (of it string buffers) | charged / growth | overhead per entry beyond its strings (charged: ${ENTRY_OVERHEAD}) | RSS growth MB |`,
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const admission of [...CACHE_ADMISSIONS, ...CACHE_ADMISSIONS]) {
  const store = new MemoryCacheStore(entries, 1 << 30, Date.now, { admission, seed: 1 });
  const before = heap();
  let strings = 0;
  for (let i = 0; i < entries; i++) {
    const key = SearchCache.key({ query: `zipf${i}`, categories: [], limit: 20 });
    const text = answerText(i);
    strings += stringCharge(key) + stringCharge(text);
    store.get(key);
    store.set(key, text, 60_000);
  }
  const after = heap();
  if (store.size !== entries) throw new Error(`kept ${store.size} of ${entries}`);
  const growth = after.size - before.size;
  console.log(
    `| ${admission} | ${mb(store.bytes)} | ${mb(growth)} (${mb(after.extra - before.extra)}) | ${(store.bytes / growth).toFixed(2)} | ${((growth - strings) / entries).toFixed(0)} | ${mb(after.rss - before.rss)} |`,
  );
  store.close();
}
