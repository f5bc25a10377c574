import { describe, expect, test } from "bun:test";
import { accessLog } from "../../src/api/plugins/access-log.ts";
import type { RequestMeta } from "../../src/api/plugins/request-context.ts";
import { createLogger, type LogFields, type LogLevel } from "../../src/core/logger.ts";
import { GatewayMetrics } from "../../src/core/metrics/gateway-metrics.ts";
import { Tracer } from "../../src/core/tracing/tracer.ts";

const fields: LogFields = {
  request_id: "3f6c0a52-5b7e-4c1d-9a1f-0c2b7d9e4a11",
  trace_id: "0af7651916cd43dd8448eb211c80319c",
  method: "GET",
  route: "/search",
  status: 200,
  duration_ms: 0.42,
  user_id: 'user "quoted" \\ and \u2028',
  plan: "premium",
  cache: "HIT",
  upstream_ms: undefined,
};

function lines(level: LogLevel, format: "json" | "pretty" = "json", base: LogFields = {}) {
  const out: string[] = [];
  return { out, logger: createLogger(level, (line) => out.push(line), base, format) };
}

describe("infoVouched", () => {
  test("writes the line info writes, byte for byte (undefined fields left out)", () => {
    const { out, logger } = lines("info");
    logger.info("request", fields);
    logger.infoVouched("request", fields);
    expect(out).toHaveLength(2);
    // The same millisecond is not guaranteed: compare without the time.
    const [a, b] = out.map((line) => line.replace(/"time":"[^"]+"/, '"time":""'));
    expect(b).toBe(a as string);
    const parsed = JSON.parse(out[1] as string);
    expect(Object.keys(parsed).slice(0, 3)).toEqual(["time", "level", "msg"]);
    expect(parsed.user_id).toBe(fields.user_id as string);
    expect("upstream_ms" in parsed).toBe(false);
  });

  test("a line without fields is still one JSON object", () => {
    const { out, logger } = lines("info");
    logger.infoVouched("request", {});
    expect(JSON.parse(out[0] as string)).toMatchObject({ level: "info", msg: "request" });
  });

  test("below the logger's level nothing is written", () => {
    const { out, logger } = lines("warn");
    logger.infoVouched("request", fields);
    expect(out).toEqual([]);
  });

  test("a pretty logger and a child with base fields write what info writes", () => {
    for (const { out, logger } of [lines("info", "pretty"), lines("info", "json", { service: "gw" })]) {
      logger.info("request", fields);
      logger.infoVouched("request", fields);
      const [a, b] = out.map((line) => line.replace(/^\S+|"time":"[^"]+"/, ""));
      expect(b).toBe(a as string);
    }
    const child = lines("info").logger.child({ component: "x" });
    expect(() => child.infoVouched("request", fields)).not.toThrow();
  });
});

test("the access log line cuts the userinfo out of a user id, the one value a backend chose", () => {
  const { out, logger } = lines("info");
  const step = accessLog(logger, new GatewayMetrics("test"), new Tracer());
  const meta = {
    requestId: "rid-1",
    trace: { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", flags: "01" },
    startedAt: performance.now(),
    call: { requestId: "rid-1" },
    userId: "https://admin:hunter2@users.example/u/1",
    plan: "free",
  } satisfies RequestMeta;
  step(new Request("http://localhost/profile"), "/profile", 200, meta);
  const line = JSON.parse(out[0] as string);
  expect(line).toMatchObject({ msg: "request", request_id: "rid-1", route: "/profile", status: 200 });
  expect(line.user_id).toBe("https://[redacted]@users.example/u/1");
  expect(out[0]).not.toContain("hunter2");
});
