import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningGateway } from "../../src/server.ts";
import { type RawResponse, rawRequest } from "../helpers/raw-http.ts";
import { serveGateway, startBackends } from "../helpers/stack.ts";

/**
 * What fetch cannot send, sent over a raw socket to a real gateway: requests without a Host, with a
 * broken one, CONNECT, short hosts. Whatever arrives, the answer is problem+json from the gateway (never
 * Bun's developer page), the path routed is the request's own, and every request is logged and counted.
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
let gateway: RunningGateway;
let withAdmin: RunningGateway;
let behindProxy: RunningGateway;
const logs: string[] = [];
const MARKER = "zq7host";

const boot = (flags: Record<string, unknown>) => serveGateway(backends, flags, logs).gateway;

beforeAll(async () => {
  backends = await startBackends();
  gateway = boot({});
  withAdmin = boot({ adminPort: 0 });
  // Trusts no loopback proxy: each login failure must be counted against the socket's own address.
  behindProxy = boot({ trustProxy: ["10.0.0.0/8"] });
});
afterAll(async () => {
  await Promise.all([gateway.stop(100), withAdmin.stop(100), behindProxy.stop(100)]);
  await backends.close();
});

async function inFlight(): Promise<number> {
  const scrape = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = scrape.split("\n").find((l) => l.startsWith("gateway_http_requests_in_flight "));
  return Number(line?.split(" ")[1]);
}

function expectProblem(answer: RawResponse, status: number) {
  expect(answer.status).toBe(status);
  expect(answer.headers["content-type"]).toBe("application/problem+json");
  expect(answer.text.toLowerCase()).not.toContain("<html");
  expect(answer.text).not.toContain(process.cwd());
  expect(answer.text).not.toMatch(/\.ts\b/);
  const problem = JSON.parse(answer.body) as { status: number; type: string; request_id: string };
  expect(problem.status).toBe(status);
  return problem;
}

/** The request's own access-log line, once: found by the request id the answer carries. */
function accessLines(requestId: string) {
  return logs
    .map((line) => JSON.parse(line) as { msg: string; request_id?: string })
    .filter((record) => record.msg === "request" && record.request_id === requestId);
}

const close = "Connection: close\r\n";
const cases: { name: string; request: string; status: number }[] = [
  { name: "HTTP/1.0 without Host", request: "GET /x HTTP/1.0\r\n\r\n", status: 404 },
  // RFC 9110 §4.2.1: an http URI with an empty host MUST be rejected as invalid.
  { name: "an empty Host", request: `GET /x HTTP/1.1\r\nHost:\r\n${close}\r\n`, status: 400 },
  { name: "an empty Host on HTTP/1.0", request: "GET /x HTTP/1.0\r\nHost:\r\n\r\n", status: 400 },
  { name: "Host: [", request: `GET /x HTTP/1.1\r\nHost: [\r\n${close}\r\n`, status: 400 },
  {
    name: "a Host Bun cannot put in a URL",
    request: `GET /x HTTP/1.1\r\nHost: [${MARKER}\r\n${close}\r\n`,
    status: 400,
  },
  {
    name: "two Host headers (RFC 9112 §3.2)",
    request: `GET /healthz HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n${close}\r\n`,
    status: 400,
  },
  {
    name: "CONNECT",
    request: `CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n${close}\r\n`,
    status: 404,
  },
  ...["x", "xy", "xyz"].map((host) => ({
    name: `GET /abcd/metrics with the ${host.length}-character Host ${host}`,
    request: `GET /abcd/metrics HTTP/1.1\r\nHost: ${host}\r\n${close}\r\n`,
    status: 404,
  })),
  {
    name: "GET /abcdefghijkl/metrics without Host",
    request: "GET /abcdefghijkl/metrics HTTP/1.0\r\n\r\n",
    status: 404,
  },
];

describe("raw requests get problem+json from the gateway", () => {
  for (const { name, request, status } of cases) {
    test(name, async () => {
      const before = await inFlight();
      const answer = await rawRequest(gateway.url, request);
      const problem = expectProblem(answer, status);
      expect(answer.body).not.toContain("gateway_http");
      expect(answer.headers["x-request-id"]).toBe(problem.request_id);
      expect(accessLines(problem.request_id)).toHaveLength(1);
      expect(await inFlight()).toBe(before);
    });
  }

  test("the routes still answer without a Host (HTTP/1.0) and with a 1-character one", async () => {
    const bare = await rawRequest(gateway.url, "GET /healthz HTTP/1.0\r\n\r\n");
    expect(bare.status).toBe(200);
    const short = await rawRequest(gateway.url, `GET /metrics HTTP/1.1\r\nHost: x\r\n${close}\r\n`);
    expect(short.status).toBe(200);
    expect(short.body).toContain("gateway_http_requests_in_flight");
  });

  test("HTTP/1.1 without a Host gets the HTTP server's bare 400 (RFC 9112 §3.2), nothing of ours", async () => {
    const answer = await rawRequest(gateway.url, `GET /healthz HTTP/1.1\r\n${close}\r\n`);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe("");
  });

  test("no log line repeats the Host a client sent", () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes(MARKER))).toEqual([]);
  });

  test("the admin port answers the same way", async () => {
    const admin = withAdmin.adminUrl ?? "";
    expect(admin).not.toBe("");
    expectProblem(await rawRequest(admin, `GET /x HTTP/1.1\r\nHost: [\r\n${close}\r\n`), 400);
    expectProblem(await rawRequest(admin, "GET /abcdefghijkl/metrics HTTP/1.0\r\n\r\n"), 404);
    expectProblem(await rawRequest(admin, `GET /abcd/metrics HTTP/1.1\r\nHost: x\r\n${close}\r\n`), 404);
    const metrics = await rawRequest(admin, "GET /metrics HTTP/1.0\r\n\r\n");
    expect(metrics.status).toBe(200);
  });

  test("a rewritten request keeps its socket address: login failures without a Host count against it", async () => {
    const attempt = (n: number, forwardedFor: string) => {
      const body = JSON.stringify({ email: `nobody-${n}@example.com`, password: "wrong-password" });
      return rawRequest(
        behindProxy.url,
        `POST /login HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
          `X-Forwarded-For: ${forwardedFor}\r\n\r\n${body}`,
      );
    };
    for (let n = 0; n < 5; n++) expect((await attempt(n, "203.0.113.1")).status).toBe(401);
    // Another claimed address does not help: the socket's (loopback) is the one counted.
    expectProblem(await attempt(5, "203.0.113.2"), 429);
  });
});
