import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { User, VerifyCredentialsResponse } from "../../src/models/user.ts";
import type { RunningService } from "../../src/reference/service.ts";
import { startUsersService } from "../../src/reference/users/index.ts";
import { bodyAs } from "./helpers.ts";

let service: RunningService;
const dir = mkdtempSync(join(tmpdir(), "reference-users-service-"));

beforeAll(async () => {
  service = await startUsersService({ port: 0, database: join(dir, "users.sqlite") });
});
afterAll(async () => {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("serves verify and lookup over real HTTP on an OS-picked port", async () => {
  expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
  const login = await fetch(`${service.url}/v1/credentials/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": "e2e-1" },
    body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
  });
  expect(login.status).toBe(200);
  expect(login.headers.get("x-request-id")).toBe("e2e-1");
  const { user } = await bodyAs(VerifyCredentialsResponse, login);
  expect(user.email).toBe("premium@example.com");

  const lookup = await fetch(`${service.url}/v1/users/${user.id}`);
  expect(await bodyAs(User, lookup)).toEqual(user);

  const denied = await fetch(`${service.url}/v1/credentials/verify`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "premium@example.com", password: "wrong" }),
  });
  expect(denied.status).toBe(401);
  expect(denied.headers.get("content-type")).toBe("application/problem+json");
});

test("a second start on the same database file keeps the same demo ids", async () => {
  const again = await startUsersService({ database: join(dir, "users.sqlite") });
  try {
    const response = await fetch(`${again.url}/v1/users/7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70`);
    expect((await bodyAs(User, response)).email).toBe("premium@example.com");
  } finally {
    await again.stop();
  }
});
