import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ServerCredentials } from "@grpc/grpc-js";
import { startDemoBackends } from "../../cli/lib/demo.ts";
import { ConfigError } from "../../src/core/config/load.ts";
import { demoKeyRing } from "../../src/core/security/key-gen.ts";
import type { AggregatorSearchRequest } from "../../src/models/search.ts";
import { startAggregatorService } from "../../src/reference/aggregator/index.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { GrpcStatusError } from "../../src/services/aggregator/grpc-errors.ts";
import { createAggregatorClient, HttpAggregatorClient } from "../../src/services/aggregator/index.ts";
import { deadUrl } from "../helpers/fake-backend.ts";
import { grpcFaults, startFakeGrpcAggregator } from "../helpers/fake-grpc-aggregator.ts";
import { call, DEMO, get } from "../helpers/http.ts";
import { configFor, startStack } from "../helpers/stack.ts";
import { makeLocalhostCertificate, type TestCertificate } from "../helpers/tls.ts";
import { tokenFor } from "../helpers/tokens.ts";

/** What is particular to the gRPC client: the same answers as HTTP, TLS, connection failures, config. */
let reference: RunningService;

beforeAll(async () => {
  reference = await startAggregatorService({ port: 0, grpcPort: 0 });
});
afterAll(() => reference.stop());

const request = (query: string): AggregatorSearchRequest => ({
  request_id: `same-${query}`,
  query,
  categories: [],
  limit: 200,
});

test("gRPC and HTTP give the same answer, optional fields absent where they are absent", async () => {
  const http = createAggregatorClient({ baseUrl: reference.url, timeoutMs: 2000 });
  const grpc = createAggregatorClient({ baseUrl: reference.grpcUrl as string, timeoutMs: 2000 });
  try {
    // The scheme picked the transport (the gRPC client itself is loaded on first use).
    expect(grpc).not.toBeInstanceOf(HttpAggregatorClient);
    expect(http).toBeInstanceOf(HttpAggregatorClient);
    for (const query of ["apple", "samsung galaxy"]) {
      const overHttp = await http.search(request(query), { requestId: `same-${query}` });
      const overGrpc = await grpc.search(request(query), { requestId: `same-${query}` });
      expect(overGrpc.results.map((p) => p.id)).toEqual(overHttp.results.map((p) => p.id));
      expect(overGrpc.results).toEqual(overHttp.results);
      expect(overGrpc.request_id).toBe(`same-${query}`);
      // Both kinds must occur, or the comparison above says nothing about optional fields.
      expect(overGrpc.results.some((p) => "image_url" in p)).toBe(true);
      expect(overGrpc.results.some((p) => !("image_url" in p))).toBe(true);
      expect(overGrpc.results.some((p) => !("rating" in p))).toBe(true);
    }
  } finally {
    grpc.close();
  }
});

test("the reference server rejects a request breaking the contract with INVALID_ARGUMENT", async () => {
  const grpc = createAggregatorClient({ baseUrl: reference.grpcUrl as string, timeoutMs: 2000 });
  try {
    const error = await grpc
      .search({ ...request("x"), limit: 0 }, { requestId: "bad-limit" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrpcStatusError);
    expect((error as GrpcStatusError).code).toBe(3);
    expect((error as GrpcStatusError).details).toContain("limit");
  } finally {
    grpc.close();
  }
});

describe("connection failures", () => {
  test("nothing listening: 503 on time, /readyz unready", async () => {
    const url = (await deadUrl()).replace("http://", "grpc://");
    const stack = await startStack({ flags: { aggregatorUrl: url, deadlineMs: 1000, cacheTtl: 0 } });
    try {
      const token = await tokenFor(stack, DEMO.premium);
      const started = performance.now();
      const result = await call(stack.app, get("/search?query=iphone", token));
      expect(result.status).toBe(503);
      expect(performance.now() - started).toBeLessThan(1300);
      const ready = await call(stack.app, get("/readyz"));
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ aggregator: { ok: false, error: "GrpcStatusError" } });
    } finally {
      stack.services.aggregator.close();
      await stack.close();
    }
  });

  test("a grpc:// URL that reaches an HTTP/1 server fails fast instead of hanging", async () => {
    const client = createAggregatorClient({
      baseUrl: reference.url.replace("http://", "grpc://"),
      timeoutMs: 1000,
    });
    try {
      const started = performance.now();
      const error = await client.search(request("x"), { requestId: "h1" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GrpcStatusError);
      expect(performance.now() - started).toBeLessThan(1300);
    } finally {
      client.close();
    }
  });
});

describe("grpcs://", () => {
  let tls: TestCertificate;
  beforeAll(() => {
    tls = makeLocalhostCertificate();
  });
  afterAll(() => tls.remove());

  test("speaks TLS, and checks the server's certificate", async () => {
    const credentials = ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }]);
    const server = await startFakeGrpcAggregator(grpcFaults.answer(), credentials);
    const url = server.url.replace("127.0.0.1", "localhost");
    expect(url).toStartWith("grpcs://localhost:");
    const trusting = createAggregatorClient({ baseUrl: url, timeoutMs: 2000, rootCerts: tls.cert });
    const untrusting = createAggregatorClient({ baseUrl: url, timeoutMs: 2000 });
    try {
      const answer = await trusting.search(request("x"), { requestId: "tls-1" });
      expect(answer.results[0]?.id).toBe("p-1");
      const refused = await untrusting.search(request("x"), { requestId: "tls-2" }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(GrpcStatusError);
      expect((refused as GrpcStatusError).details).toMatch(/certificate/i);
      expect(server.calls).toHaveLength(1);
      // A plaintext client cannot talk to it either: grpc:// really is h2c, grpcs:// really is TLS.
      const plain = createAggregatorClient({ baseUrl: url.replace("grpcs", "grpc"), timeoutMs: 1000 });
      expect(
        await plain.search(request("x"), { requestId: "tls-3" }).catch((e: unknown) => e),
      ).toBeInstanceOf(GrpcStatusError);
      plain.close();
    } finally {
      trusting.close();
      untrusting.close();
      await server.stop();
    }
  });
});

describe("configuration", () => {
  test("the Aggregator URL may be grpc:// or grpcs://; the Users URL may not", () => {
    expect(configFor({ usersUrl: "http://u", aggregatorUrl: "grpc://agg:50051" }).aggregatorUrl).toBe(
      "grpc://agg:50051",
    );
    expect(configFor({ usersUrl: "http://u", aggregatorUrl: "grpcs://agg" }).aggregatorUrl).toBe(
      "grpcs://agg",
    );
    expect(() => configFor({ usersUrl: "grpc://u:1", aggregatorUrl: "http://a" })).toThrow(ConfigError);
    expect(() => configFor({ usersUrl: "http://u", aggregatorUrl: "grpcs://10.0.0.1:443" })).toThrow(
      /a grpcs:\/\/ URL with a host name/,
    );
    expect(configFor({ usersUrl: "http://u", aggregatorUrl: "grpc://10.0.0.1:80" }).aggregatorUrl).toBe(
      "grpc://10.0.0.1:80",
    );
    expect(() => configFor({ usersUrl: "http://u", aggregatorUrl: "ftp://a" })).toThrow(ConfigError);
  });

  test("--demo-transport: http by default, grpc points the gateway at the reference's grpc:// URL", async () => {
    expect(configFor({ demo: true }).demoTransport).toBe("http");
    expect(() => configFor({ demo: true, demoTransport: "carrier-pigeon" })).toThrow(ConfigError);
    const demo = await startDemoBackends(configFor({ demo: true, demoTransport: "grpc" }), demoKeyRing);
    try {
      const aggregator = demo.started.find((s) => s.name === "aggregator")?.service;
      expect(demo.config.aggregatorUrl).toBe(aggregator?.grpcUrl as string);
      expect(demo.config.aggregatorUrl).toStartWith("grpc://127.0.0.1:");
      expect(demo.config.usersUrl).toStartWith("http://127.0.0.1:");
    } finally {
      await demo.stop();
    }
  });
});
