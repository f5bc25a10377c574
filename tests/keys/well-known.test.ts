import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { loadConfig } from "../../src/core/config/load.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { startGateway } from "../../src/server.ts";
import { createServices, type ReadyConfig } from "../../src/services/container.ts";
import { call, DEMO, get, json } from "../helpers/http.ts";
import { jwkOf, keyDir } from "../helpers/keys.ts";
import { type Stack, startBackends, startStack } from "../helpers/stack.ts";

const active = jwkOf("EdDSA", "active");
const verifyOnly = jwkOf("ES256", "verify-only");
const retired = jwkOf("EdDSA", "retired");
const PUBLIC_URL = "https://gateway.example.com";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    flags: { jwtKeys: keyDir(active, verifyOnly, retired), jwtSecret: undefined, publicUrl: PUBLIC_URL },
  });
});
afterAll(() => stack.close());

describe("GET /.well-known/jwks.json", () => {
  test("the active and verify-only public keys, never a retired key or a private member; cached 5 minutes", async () => {
    const response = await stack.app.handle(get("/.well-known/jwks.json"));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys.map((key) => key.kid).sort()).toEqual([active.kid, verifyOnly.kid].sort());
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        key.kty === "EC"
          ? ["alg", "crv", "kid", "kty", "use", "x", "y"]
          : ["alg", "crv", "kid", "kty", "use", "x"],
      );
    }
    expect(keys.find((key) => key.kid === active.kid)).toMatchObject({
      x: active.x,
      alg: "EdDSA",
      use: "sig",
    });
  });

  test("an HS256 gateway publishes no key: the secret is not public", async () => {
    const hs = await startStack();
    try {
      const { status, body } = await call(hs.app, get("/.well-known/jwks.json"));
      expect(status).toBe(200);
      expect(body).toEqual({ keys: [] });
    } finally {
      await hs.close();
    }
  });
});

describe("GET /.well-known/oauth-authorization-server (RFC 8414)", () => {
  test("the metadata from GATEWAY_PUBLIC_URL, whose issuer is the tokens' iss (RFC 8414 §3.3)", async () => {
    const { status, body } = await call(
      stack.app,
      get("/.well-known/oauth-authorization-server", undefined, { host: "evil.example" }),
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      issuer: PUBLIC_URL,
      token_endpoint: `${PUBLIC_URL}/token`,
      jwks_uri: `${PUBLIC_URL}/.well-known/jwks.json`,
      revocation_endpoint: `${PUBLIC_URL}/revoke`,
      response_types_supported: [],
      grant_types_supported: ["password", "refresh_token"],
      token_endpoint_auth_methods_supported: ["none"],
      revocation_endpoint_auth_methods_supported: ["none"],
    });
    const login = await call(stack.app, json("/login", DEMO.premium));
    const token = String(login.body.access_token);
    expect(decodeJwt(token).iss).toBe(PUBLIC_URL);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: "EdDSA", kid: active.kid });
  });

  test("without GATEWAY_PUBLIC_URL: 404 problem+json, never URLs made from the request's Host", async () => {
    const hs = await startStack();
    try {
      const response = await hs.app.handle(get("/.well-known/oauth-authorization-server"));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toStartWith("application/problem+json");
      expect(await response.text()).toContain("GATEWAY_PUBLIC_URL");
    } finally {
      await hs.close();
    }
  });
});

describe("another service verifies gateway tokens from the JWKS alone", () => {
  test("jose's createRemoteJWKSet + jwtVerify against a running gateway", async () => {
    const backends = await startBackends();
    const config = loadConfig({
      flags: {
        jwtKeys: keyDir(active, verifyOnly),
        usersUrl: backends.users.url,
        aggregatorUrl: backends.aggregator.url,
      },
      env: {},
    }) as ReadyConfig;
    const services = createServices(config, silentLogger);
    const gateway = startGateway({ services, logger: silentLogger, host: "127.0.0.1", port: 0 });
    try {
      const login = await fetch(`${gateway.url}/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(DEMO.premium),
      });
      const { access_token } = (await login.json()) as { access_token: string };
      // What a resource server holds: the JWKS URL, the issuer and audience it expects; no secret.
      const jwks = createRemoteJWKSet(new URL(`${gateway.url}/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(access_token, jwks, {
        issuer: "gateway",
        audience: "gateway",
        algorithms: ["EdDSA", "ES256"],
      });
      expect(protectedHeader.kid).toBe(active.kid);
      expect(payload.sub).toBe("7c1e4b0a-5d2f-4a8e-9b3c-1f6d2e8a4c70");
      // And it refuses what the gateway would refuse: a token whose signature is not the key's.
      const [head, body] = access_token.split(".");
      await expect(jwtVerify(`${head}.${body}.${"A".repeat(86)}`, jwks)).rejects.toThrow();
    } finally {
      await gateway.stop(0);
      services.close();
      await backends.close();
    }
  });
});
