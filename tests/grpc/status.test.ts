import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { status } from "@grpc/grpc-js";
import { GatewayError } from "../../src/core/errors.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import { classifyGrpc } from "../../src/services/aggregator/grpc.ts";
import { GrpcStatusError } from "../../src/services/aggregator/grpc-errors.ts";
import { upstreamError } from "../../src/services/upstream-errors.ts";
import {
  type FakeGrpcAggregator,
  grpcFaults,
  startFakeGrpcAggregator,
} from "../helpers/fake-grpc-aggregator.ts";
import { call, DEMO, get } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";

/** What each gRPC status becomes for the client, and how it counts for retries and the circuit. */
const TABLE = [
  [status.INVALID_ARGUMENT, 400, "/problems/bad-request"],
  [status.DEADLINE_EXCEEDED, 504, "/problems/upstream-timeout"],
  [status.UNAVAILABLE, 503, "/problems/upstream-unavailable"],
  [status.INTERNAL, 502, "/problems/bad-upstream"],
  [status.UNKNOWN, 502, "/problems/bad-upstream"],
  [status.NOT_FOUND, 502, "/problems/bad-upstream"],
  [status.UNIMPLEMENTED, 502, "/problems/bad-upstream"],
  [status.PERMISSION_DENIED, 502, "/problems/bad-upstream"],
  [status.RESOURCE_EXHAUSTED, 502, "/problems/bad-upstream"],
  [status.DATA_LOSS, 502, "/problems/bad-upstream"],
] as const;

describe("the status table", () => {
  test.each(TABLE)("gRPC status %d is HTTP %d", (code, httpStatus) => {
    const mapped = upstreamError("Aggregator", new GrpcStatusError("/x/Search", code, "server said so"));
    expect(mapped).toBeInstanceOf(GatewayError);
    expect((mapped as GatewayError).status).toBe(httpStatus);
    // The server's own words stay in the logs, not in what the client is told.
    expect((mapped as GatewayError).message).not.toContain("server said so");
  });

  test("retry and circuit verdicts", () => {
    const verdict = (code: status, cut = false) => classifyGrpc(new GrpcStatusError("/x", code, ""), cut);
    expect(verdict(status.UNAVAILABLE)).toBe("transient");
    expect(verdict(status.DEADLINE_EXCEEDED)).toBe("transient");
    expect(verdict(status.DEADLINE_EXCEEDED, true)).toBe("failure");
    for (const code of [status.INVALID_ARGUMENT, status.NOT_FOUND, status.PERMISSION_DENIED])
      expect(verdict(code)).toBe("healthy");
    for (const code of [status.INTERNAL, status.UNKNOWN, status.UNIMPLEMENTED, status.DATA_LOSS])
      expect(verdict(code)).toBe("failure");
    expect(classifyGrpc(new Error("not a gRPC status"), false)).toBe("failure");
  });
});

describe("over the wire", () => {
  let users: RunningService;
  let aggregator: FakeGrpcAggregator;
  const stacks: Stack[] = [];

  beforeAll(async () => {
    users = await startUsersService({ port: 0 });
    aggregator = await startFakeGrpcAggregator(grpcFaults.answer());
  });
  afterAll(async () => {
    for (const stack of stacks) {
      stack.services.aggregator.close();
      await stack.close();
    }
    await Promise.all([users.stop(), aggregator.stop()]);
  });

  async function gateway(flags: Record<string, unknown> = {}) {
    const stack = await startStack({
      flags: { usersUrl: users.url, aggregatorUrl: aggregator.url, cacheTtl: 0, ...flags },
    });
    stacks.push(stack);
    const token = await tokenFor(stack, DEMO.premium);
    return () => call(stack.app, get("/search?query=iphone", token));
  }

  test.each(TABLE)(
    "an Aggregator answering status %d: the client gets %d",
    async (code, httpStatus, type) => {
      aggregator.behave(grpcFaults.status(code));
      const search = await gateway({ breakerFailures: 1000 });
      const result = await search();
      expect(result.status).toBe(httpStatus);
      expect(result.body.type).toBe(type);
    },
  );

  test("INVALID_ARGUMENT is the backend working: not retried, and it never opens the circuit", async () => {
    aggregator.behave(grpcFaults.status(status.INVALID_ARGUMENT));
    const search = await gateway({ retries: 1, breakerFailures: 2 });
    const before = aggregator.calls.length;
    for (let i = 0; i < 4; i++) expect((await search()).status).toBe(400);
    expect(aggregator.calls.length - before).toBe(4);
  });
});
