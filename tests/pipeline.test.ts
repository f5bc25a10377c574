import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORIGIN } from "./helpers/http.ts";
import { type Stack, startStack } from "./helpers/stack.ts";

/**
 * The request pipeline (src/api/plugins/pipeline.ts) is one onRequest and one onAfterResponse: every
 * answer it gives on arrival (a preflight, a refused origin, Host or body) must still be counted in and
 * out of flight, carry its request id, and get exactly one access-log line.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ flags: { corsOrigins: "https://app.example.com" } });
});
afterAll(() => stack.close());

function accessLines(requestId: string) {
  return stack.logs
    .map((line) => JSON.parse(line) as { msg: string; request_id?: string; status?: number })
    .filter((record) => record.msg === "request" && record.request_id === requestId);
}

/** The access line is written after the response; wait for it rather than for a time. */
async function loggedOnce(requestId: string) {
  while (accessLines(requestId).length === 0) await Bun.sleep(1);
  return accessLines(requestId);
}

const early: { name: string; request: () => Request; status: number }[] = [
  {
    name: "a preflight from an allowed origin",
    request: () =>
      new Request(`${ORIGIN}/search`, {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "GET" },
      }),
    status: 204,
  },
  {
    name: "a preflight from another origin",
    request: () =>
      new Request(`${ORIGIN}/search`, {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      }),
    status: 403,
  },
  {
    name: "an invalid Host",
    request: () => new Request(`${ORIGIN}/healthz`, { headers: { host: "a.example, b.example" } }),
    status: 400,
  },
  {
    name: "a declared body over the limit",
    request: () =>
      new Request(`${ORIGIN}/search`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(1024 * 1024) },
        body: "{}",
      }),
    status: 413,
  },
  { name: "no such route", request: () => new Request(`${ORIGIN}/nowhere`), status: 404 },
];

describe("answers given on arrival", () => {
  for (const { name, request, status } of early) {
    test(`${name}: ${status}, its request id echoed, one log line, in-flight back to zero`, async () => {
      const answer = await stack.app.handle(request());
      expect(answer.status).toBe(status);
      const requestId = answer.headers.get("x-request-id") ?? "";
      expect(requestId).not.toBe("");
      const lines = await loggedOnce(requestId);
      expect(lines).toHaveLength(1);
      expect(lines[0]?.status).toBe(status);
      expect(stack.services.metrics.inFlight).toBe(0);
    });
  }
});

describe("the composed app", () => {
  test("runs one onRequest and one onAfterResponse, and no map-response hook, for every request", () => {
    const events = (stack.app as unknown as { event: Record<string, unknown[] | undefined> }).event;
    expect(events.request?.length ?? 0).toBe(1);
    expect(events.afterResponse?.length ?? 0).toBe(1);
    expect(events.mapResponse?.length ?? 0).toBe(0);
  });
});
