/**
 * What the revocation check adds to an authenticated request: a remembered token's lookup alone, and
 * with the revocation set consulted after it, empty and holding 100 000 revoked jtis/sids and 10 000
 * users' not-before times. In-process, one core, medians of 5 rounds. Usage: bun bench/revocation.ts [n]
 */
import { randomUUID } from "node:crypto";
import { TokenService } from "../src/core/security/tokens.ts";
import { RevocationSet } from "../src/services/sessions/revocation-set.ts";

const N = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = 5;

const tokens = new TokenService({
  secret: "bench-secret-bench-secret-bench-secret",
  issuer: "gateway",
  audience: "gateway",
  ttlSeconds: 900,
});
const { token } = await tokens.issue(randomUUID(), { sid: randomUUID() });
await tokens.verify(token);

const empty = new RevocationSet();
const full = new RevocationSet();
const until = Date.now() + 3_600_000;
for (let i = 0; i < 100_000; i++) {
  full.add({ kind: "jti", id: randomUUID(), until });
  full.add({ kind: "sid", id: randomUUID(), until });
}
for (let i = 0; i < 10_000; i++) full.add({ kind: "user", id: randomUUID(), until, notBefore: 1 });

let sink = 0;
const variants: Record<string, () => void> = {
  "remembered only": () => {
    if (tokens.remembered(token)) sink++;
  },
  "remembered + check (empty set)": () => {
    const claims = tokens.remembered(token);
    if (claims && !empty.refuses(claims)) sink++;
  },
  "remembered + check (210 000 entries)": () => {
    const claims = tokens.remembered(token);
    if (claims && !full.refuses(claims)) sink++;
  },
};

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const results: Record<string, number> = {};
for (const [name, run] of Object.entries(variants)) {
  const perOp: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = Bun.nanoseconds();
    for (let i = 0; i < N; i++) run();
    perOp.push((Bun.nanoseconds() - start) / N);
  }
  results[name] = median(perOp);
}
for (const [name, ns] of Object.entries(results)) console.log(`${name.padEnd(40)} ${ns.toFixed(0)} ns/op`);
const base = results["remembered only"] ?? 1;
console.log(
  `check adds ${((results["remembered + check (210 000 entries)"] ?? 0) - base).toFixed(0)} ns (full set)`,
);
if (sink === 0) console.log("(nothing verified?)");
empty.close();
full.close();
