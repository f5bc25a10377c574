/**
 * The in-process cache store's get/set cost per policy: `lru` is the store as it was (lru-cache), with
 * today's charge; `tinylfu` is the W-TinyLFU policy. Both in one process, alternating, 10 rounds, the
 * first two dropped, median ns per operation. Full stores of 10,000 entries (the default bound).
 * Run: bun bench/cache-store-speed.ts
 */
import { SearchCache } from "../src/services/search-cache.ts";
import { CACHE_ADMISSIONS } from "../src/stores/cache-policy.ts";
import { MemoryCacheStore } from "../src/stores/memory-cache-store.ts";
import { zipfRanks } from "./lib/zipf.ts";

const ENTRIES = 10_000;
const OPS = 200_000;
const answer = "x".repeat(3000);
const keys = Array.from({ length: 100_001 }, (_, rank) =>
  SearchCache.key({ query: `zipf${rank}`, categories: [], limit: 20 }),
);
const floodKeys = Array.from({ length: OPS * 12 }, (_, i) => `flood:${i}:${"k".repeat(32)}`);
const next = zipfRanks();
const trace = Array.from({ length: OPS }, () => keys[next()] as string);

type Admission = (typeof CACHE_ADMISSIONS)[number];
const stores = new Map<Admission, MemoryCacheStore>();
for (const admission of CACHE_ADMISSIONS) {
  const store = new MemoryCacheStore(ENTRIES, 1 << 30, Date.now, { admission, seed: 1 });
  // Full, with the hot keys asked for often enough that the admission filter keeps them.
  for (let round = 0; round < 3; round++) {
    for (let i = 1; i <= ENTRIES; i++) {
      const key = keys[i] as string;
      if (store.get(key) === undefined) store.set(key, answer, 1e9);
    }
  }
  stores.set(admission, store);
}

let flood = 0;
const cases: Record<string, (store: MemoryCacheStore) => void> = {
  "get, hit (1,000 hot keys)": (store) => {
    for (let i = 0; i < OPS; i++) store.get(keys[(i % 1000) + 1] as string);
  },
  "get, miss, then set (distinct keys)": (store) => {
    for (let i = 0; i < OPS; i++) {
      const key = floodKeys[flood++ % floodKeys.length] as string;
      if (store.get(key) === undefined) store.set(key, answer, 1e9);
    }
  },
  "Zipf mix (get, set on a miss)": (store) => {
    for (const key of trace) if (store.get(key) === undefined) store.set(key, answer, 1e9);
  },
};

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

console.log("| operation | lru ns/op | tinylfu ns/op | tinylfu / lru |");
console.log("| --- | --- | --- | --- |");
for (const [name, run] of Object.entries(cases)) {
  const times = new Map<Admission, number[]>(CACHE_ADMISSIONS.map((a) => [a, []]));
  for (let round = 0; round < 10; round++) {
    for (const admission of round % 2 === 0 ? CACHE_ADMISSIONS : [...CACHE_ADMISSIONS].reverse()) {
      const start = Bun.nanoseconds();
      run(stores.get(admission) as MemoryCacheStore);
      if (round >= 2) times.get(admission)?.push((Bun.nanoseconds() - start) / OPS);
    }
  }
  const lru = median(times.get("lru") ?? []);
  const tinylfu = median(times.get("tinylfu") ?? []);
  console.log(`| ${name} | ${lru.toFixed(0)} | ${tinylfu.toFixed(0)} | ${(tinylfu / lru).toFixed(2)}x |`);
}
for (const store of stores.values()) store.close();
