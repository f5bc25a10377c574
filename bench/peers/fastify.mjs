/**
 * The peer a user would pick instead: a Fastify 5 gateway doing the minimal work of the gateway's
 * search path (HS256 verify with @fastify/jwt, a user cache, the Aggregator call with undici, JSON parse
 * and re-serialise), with no limits, no answer cache, no logs. Plain JavaScript because Node 20 cannot
 * strip TypeScript types (no --experimental-strip-types).
 * Run: node bench/peers/fastify.mjs <users-url> <aggregator-url> <jwt-secret>
 * Prints one JSON line with its URL.
 */
import fastifyJwt from "@fastify/jwt";
import Fastify from "fastify";
import { Pool } from "undici";

const [usersUrl, aggregatorUrl, secret] = process.argv.slice(2);
const users = new Pool(usersUrl, { connections: 16 });
const aggregator = new Pool(aggregatorUrl, { connections: 64 });
// Unbounded: the benchmark has one user; the gateway's own user cache is bounded and has a TTL.
const userCache = new Map();
let ids = 0;

const app = Fastify({ logger: false });
app.register(fastifyJwt, {
  secret,
  verify: { algorithms: ["HS256"], allowedIss: "gateway", allowedAud: "gateway" },
});

async function userOf(id) {
  const cached = userCache.get(id);
  if (cached) return cached;
  const { statusCode, body } = await users.request({
    method: "GET",
    path: `/v1/users/${encodeURIComponent(id)}`,
  });
  if (statusCode !== 200) {
    await body.dump();
    return undefined;
  }
  const user = await body.json();
  userCache.set(id, user);
  return user;
}

app.get("/healthz", async () => ({ status: "ok" }));
app.get("/search", async (request, reply) => {
  try {
    await request.jwtVerify();
  } catch {
    return reply.code(401).send({ title: "Unauthorized" });
  }
  const user = await userOf(request.user.sub);
  if (!user) return reply.code(401).send({ title: "Unauthorized" });
  const requestId = (++ids).toString(16);
  const { statusCode, body } = await aggregator.request({
    method: "POST",
    path: "/v1/search",
    headers: { "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify({
      request_id: requestId,
      query: request.query.query ?? "",
      categories: [],
      limit: 20,
    }),
  });
  if (statusCode !== 200) {
    await body.dump();
    return reply.code(502).send({ title: "Bad Gateway" });
  }
  const data = await body.json();
  return { request_id: requestId, limit: 20, results: data.results.slice(0, 20) };
});

await app.listen({ host: "127.0.0.1", port: 0 });
console.log(JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` }));
