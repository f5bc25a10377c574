/**
 * The Zipf(1.0) mix over 100,000 distinct queries: drawn once from a seeded PRNG, so every target gets
 * the same queries in the same order. One file per wrk run (warm-up, then each round), because a run that
 * replayed the previous run's queries would find them all cached and overstate the hit ratio; the cache
 * still keeps what the earlier runs made popular, as in steady traffic. load.lua reads one file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const ZIPF_DISTINCT = 100_000;
export const ZIPF_SEED = 0x5eed;

/** mulberry32: small, fast and seedable; statistical quality beyond a benchmark's needs is not the point. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws query ranks (1 = most popular) from Zipf(1.0) over ZIPF_DISTINCT, reproducibly from `seed`. */
export function zipfRanks(seed = ZIPF_SEED): () => number {
  const cdf = new Float64Array(ZIPF_DISTINCT);
  let sum = 0;
  for (let rank = 1; rank <= ZIPF_DISTINCT; rank++) {
    sum += 1 / rank;
    cdf[rank - 1] = sum;
  }
  for (let i = 0; i < ZIPF_DISTINCT; i++) cdf[i] = (cdf[i] as number) / sum;
  const random = mulberry32(seed);
  return () => {
    const u = random();
    let lo = 0;
    let hi = ZIPF_DISTINCT - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}

/** Writes `runs` files of `perRun` queries each into `dir`; returns their paths in run order. */
export function writeZipfRuns(dir: string, runs: number, perRun: number, seed = ZIPF_SEED): string[] {
  const next = zipfRanks(seed);
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let run = 0; run < runs; run++) {
    const lines = new Array<string>(perRun);
    for (let i = 0; i < perRun; i++) lines[i] = `zipf${next()}`;
    const path = join(dir, `run-${run}.txt`);
    writeFileSync(path, `${lines.join("\n")}\n`);
    paths.push(path);
  }
  return paths;
}

/**
 * Every distinct query once, in a seeded random order: the memory scenarios' fill, so a cache budget up to
 * what all 100,000 answers take can fill within seconds (the Zipf mix itself meets its tail slowly: about
 * 1.3 million draws for 85,000 distinct queries). Returns the file's path.
 */
export function writeZipfFill(dir: string, seed = ZIPF_SEED + 1): string {
  const order = Array.from({ length: ZIPF_DISTINCT }, (_, i) => i + 1);
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "fill.txt");
  writeFileSync(path, `${order.map((rank) => `zipf${rank}`).join("\n")}\n`);
  return path;
}
