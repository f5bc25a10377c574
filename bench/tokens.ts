/**
 * What verifying an access token costs on the request path, per algorithm: the first verification of
 * a token (signature, claims) and the remembered case (a map lookup by the token's SHA-256) that nearly
 * every request takes, since a client sends one token many times. HS256 is today's compatibility mode;
 * EdDSA is the default; ES256 the option.
 * Usage: bun bench/tokens.ts
 */
import { generateJwk } from "../src/core/security/key-gen.ts";
import { keyRingOf } from "../src/core/security/key-ring.ts";
import { KeyRingHolder } from "../src/core/security/key-ring-holder.ts";
import { TokenService } from "../src/core/security/tokens.ts";

const limits = { issuer: "gateway", audience: "gateway", ttlSeconds: 3600 };
const FIRST = 2_000;
const HOT = 200_000;

const services: [string, TokenService][] = [
  ["HS256", new TokenService({ ...limits, secret: "bench-secret-bench-secret-bench-secret" })],
  ...(["EdDSA", "ES256"] as const).map(
    (alg) =>
      [
        alg,
        new TokenService({ ...limits, keys: new KeyRingHolder(keyRingOf([generateJwk(alg, "active")])) }),
      ] as [string, TokenService],
  ),
];

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

for (const [alg, tokens] of services) {
  const issued = await Promise.all(Array.from({ length: FIRST + 200 }, (_, i) => tokens.issue(`user-${i}`)));
  for (const { token } of issued.slice(FIRST)) await tokens.verify(token); // warm-up
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const batch = issued.slice((r * FIRST) / 5, ((r + 1) * FIRST) / 5);
    const started = performance.now();
    for (const { token } of batch) await tokens.verify(token);
    rounds.push(((performance.now() - started) * 1000) / batch.length);
  }
  const hotToken = issued[0]?.token as string;
  const hot: number[] = [];
  for (let r = 0; r < 5; r++) {
    const started = performance.now();
    for (let i = 0; i < HOT; i++) tokens.remembered(hotToken);
    hot.push(((performance.now() - started) * 1e6) / HOT);
  }
  console.log(
    `${alg.padEnd(5)}  verify (first time): median ${median(rounds).toFixed(1)} µs   remembered: median ${median(hot).toFixed(0)} ns   token ${hotToken.length} bytes`,
  );
}
