/**
 * The reference point: a bare Bun.serve that only fetch()es the Aggregator and returns its bytes, the
 * least any gateway must do. Run: bun bench/lib/passthrough.ts <aggregator-url>
 */
const target = `${process.argv[2]}/v1/search`;
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    if (new URL(request.url).pathname === "/healthz") return new Response("ok");
    const upstream = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"request_id":"x","query":"q","categories":[],"limit":20}',
    });
    return new Response(await upstream.arrayBuffer(), { headers: { "content-type": "application/json" } });
  },
});
console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
