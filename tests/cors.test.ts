import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cors } from "../src/api/plugins/cors.ts";
import { DEMO, ORIGIN } from "./helpers/http.ts";
import { type Stack, startStack } from "./helpers/stack.ts";
import { tokenFor } from "./helpers/tokens.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ flags: { corsOrigins: "https://app.example.com,http://localhost:5173" } });
});
afterAll(() => stack.close());

const preflight = (origin: string, headers = "authorization") =>
  stack.app.handle(
    new Request(`${ORIGIN}/search`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": headers },
    }),
  );

describe("CORS", () => {
  test("a preflight from an allowed origin: 204 with the origin, methods and requested headers", async () => {
    const response = await preflight("https://app.example.com", "Authorization, Content-Type, X-Evil");
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST");
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type");
    expect(response.headers.get("vary")).toBe("Origin");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  test("a preflight from another origin is a 403 problem without CORS headers", async () => {
    const response = await preflight("https://evil.example");
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("real requests from an allowed origin carry the origin and expose the useful headers, errors too", async () => {
    const token = await tokenFor(stack, DEMO.premium);
    const ok = await stack.app.handle(
      new Request(`${ORIGIN}/profile`, {
        headers: { origin: "http://localhost:5173", authorization: `Bearer ${token}` },
      }),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(ok.headers.get("access-control-expose-headers")).toContain("ratelimit");
    const denied = await stack.app.handle(
      new Request(`${ORIGIN}/profile`, { headers: { origin: "http://localhost:5173" } }),
    );
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    const other = await stack.app.handle(
      new Request(`${ORIGIN}/healthz`, { headers: { origin: "https://evil.example" } }),
    );
    expect(other.status).toBe(200);
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("without configured origins nothing is added", async () => {
    const plain = await startStack();
    try {
      const response = await plain.app.handle(
        new Request(`${ORIGIN}/healthz`, { headers: { origin: "https://app.example.com" } }),
      );
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await plain.close();
    }
  });
});

describe("CORS with `*`", () => {
  test("never combined with credentials, even when the config check is bypassed", () => {
    expect(() => cors({ origins: ["*"], credentials: true })).toThrow("credentials");
  });

  test("without credentials, any origin (`null` too) gets `*`, never its own origin echoed", async () => {
    const any = await startStack({ flags: { corsOrigins: "*" } });
    try {
      for (const origin of ["null", "https://evil.example"]) {
        const response = await any.app.handle(new Request(`${ORIGIN}/healthz`, { headers: { origin } }));
        expect(response.headers.get("access-control-allow-origin")).toBe("*");
        expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      }
    } finally {
      await any.close();
    }
  });
});
