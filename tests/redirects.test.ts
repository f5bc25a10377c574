import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../src/core/logger.ts";
import { OtlpExporter } from "../src/core/tracing/otlp-exporter.ts";
import {
  aggregatorAnswer,
  type FakeBackend,
  faults,
  forwardTo,
  startFakeBackend,
} from "./helpers/fake-backend.ts";
import { call, DEMO, get, json } from "./helpers/http.ts";
import { type Stack, startBackends, startStack } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

/**
 * A backend answering 3xx must not make the gateway call the Location: a redirect there would re-send the
 * user's password (or the search) to another host and make that host's answer the gateway's. Real
 * sockets: the redirecting backends and the target, which records every call it gets (it must get none).
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
let users: FakeBackend;
let aggregator: FakeBackend;
let target: FakeBackend;
let stack: Stack;
let token: string;

beforeAll(async () => {
  backends = await startBackends();
  users = startFakeBackend(forwardTo(backends.users.url));
  aggregator = startFakeBackend(aggregatorAnswer());
  // Answers as a healthy backend would, so following a redirect would have looked like success.
  target = startFakeBackend(forwardTo(backends.users.url));
  stack = await startStack({
    flags: { usersUrl: users.url, aggregatorUrl: aggregator.url, retries: 1, breakerFailures: 1000 },
  });
  token = await tokenFor(stack, DEMO.premium);
});
afterAll(async () => {
  await stack.close();
  await Promise.all([users.stop(), aggregator.stop(), target.stop(), backends.close()]);
});

const REDIRECTS = [301, 302, 303, 307, 308] as const;

describe("backend redirects are never followed", () => {
  test.each(REDIRECTS)(
    "Users service answering %d at login: 502, and the password goes nowhere else",
    async (status) => {
      users.behave(faults.redirect(status, target.url));
      const before = users.calls.length;
      const { status: answered, headers, body } = await call(stack.app, json("/login", DEMO.premium));
      users.behave(forwardTo(backends.users.url));
      expect(answered).toBe(502);
      expect(headers.get("content-type")).toContain("application/problem+json");
      expect(body).toMatchObject({ type: "/problems/bad-upstream", status: 502 });
      expect(body.detail).toBe(`The Users service answered HTTP ${status}.`);
      // One call only: a redirect is not a transient fault worth a retry.
      expect(users.calls.length - before).toBe(1);
      expect(target.calls).toEqual([]);
    },
  );

  test.each(REDIRECTS)(
    "Aggregator answering %d to a search: 502, and the search goes nowhere else",
    async (status) => {
      aggregator.behave(faults.redirect(status, target.url));
      const { status: answered, body } = await call(
        stack.app,
        get(`/search?query=redirect-${status}`, token),
      );
      aggregator.behave(aggregatorAnswer());
      expect(answered).toBe(502);
      expect(body).toMatchObject({ type: "/problems/bad-upstream", status: 502 });
      expect(body.detail).toBe(`The Aggregator service answered HTTP ${status}.`);
      expect(target.calls).toEqual([]);
    },
  );

  test("a health probe answered with a redirect is a failed check, not the target's health", async () => {
    users.behave(faults.redirect(307, target.url));
    const { status, body } = await call(stack.app, get("/readyz"));
    users.behave(forwardTo(backends.users.url));
    expect(status).toBe(503);
    expect(body.checks).toMatchObject({ users: { ok: false, error: "HTTP 307" }, aggregator: { ok: true } });
    expect(target.calls).toEqual([]);
  });

  test("the trace exporter does not follow a collector's redirect either (its headers carry credentials)", async () => {
    const collector = startFakeBackend(faults.redirect(307, target.url));
    const exporter = new OtlpExporter({
      url: `${collector.url}/v1/traces`,
      headers: { authorization: "Bearer collector-token" },
      serviceName: "test",
      serviceVersion: "test",
      logger: createLogger("error", () => {}),
    });
    exporter.export({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      name: "test",
      kind: 2,
      startMs: 0,
      endMs: 1,
      attributes: {},
      error: false,
    });
    await exporter.shutdown();
    await collector.stop();
    expect(collector.calls.length).toBe(1);
    expect(exporter.dropped).toBe(1);
    expect(target.calls).toEqual([]);
  });
});
