import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer } from "node:net";
import * as client from "openid-client";
import { loadConfig } from "../../src/core/config/load.ts";
import { silentLogger } from "../../src/core/logger.ts";
import { type RunningGateway, startGateway } from "../../src/server.ts";
import { createServices, type ReadyConfig, type Services } from "../../src/services/container.ts";
import { DEMO } from "../helpers/http.ts";
import { startBackends, TEST_SECRET } from "../helpers/stack.ts";

/**
 * A standard OAuth 2.0 client library against a running gateway: what a client team's code does, from
 * the authorization server metadata (RFC 8414) on, with none of the gateway's own types.
 */

/** The issuer must be the gateway's own URL, so the port is chosen before the gateway is configured. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let backends: Awaited<ReturnType<typeof startBackends>>;
let services: Services;
let gateway: RunningGateway;
let config: client.Configuration;
beforeAll(async () => {
  backends = await startBackends();
  const port = await freePort();
  const loaded = loadConfig({
    flags: {
      jwtSecret: TEST_SECRET,
      usersUrl: backends.users.url,
      aggregatorUrl: backends.aggregator.url,
      publicUrl: `http://127.0.0.1:${port}`,
    },
    env: {},
  }) as ReadyConfig;
  services = createServices(loaded, silentLogger);
  gateway = startGateway({ services, logger: silentLogger, host: "127.0.0.1", port });
  // http is what GATEWAY_PUBLIC_URL allows on loopback; openid-client refuses it unless told.
  config = await client.discovery(new URL(gateway.url), "test-client", undefined, client.None(), {
    algorithm: "oauth2",
    execute: [client.allowInsecureRequests],
  });
});
afterAll(async () => {
  await gateway?.stop(0);
  services?.close();
  await backends?.close();
});

const password = (credentials: { email: string; password: string }) =>
  client.genericGrantRequest(config, "password", {
    username: credentials.email,
    password: credentials.password,
  });

describe("openid-client against the running gateway", () => {
  test("discovery reads the metadata whose issuer is the gateway's URL", () => {
    const server = config.serverMetadata();
    expect(server.issuer).toBe(gateway.url);
    expect(server.token_endpoint).toBe(`${gateway.url}/token`);
    expect(server.revocation_endpoint).toBe(`${gateway.url}/revoke`);
  });

  test("the password grant gives tokens the gateway accepts", async () => {
    const tokens = await password(DEMO.premium);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expiresIn()).toBeGreaterThan(0);
    expect(typeof tokens.refresh_token).toBe("string");
    const profile = await fetch(`${gateway.url}/profile`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(profile.status).toBe(200);
  });

  test("refresh rotates the refresh token, and the new one refreshes again", async () => {
    const first = await password(DEMO.free);
    const refreshed = await client.refreshTokenGrant(config, first.refresh_token as string);
    expect(refreshed.refresh_token).not.toBe(first.refresh_token);
    const again = await client.refreshTokenGrant(config, refreshed.refresh_token as string);
    expect(typeof again.access_token).toBe("string");
  });

  test("revocation ends the session: its refresh token is then invalid_grant", async () => {
    const tokens = await password(DEMO.free);
    await client.tokenRevocation(config, tokens.refresh_token as string);
    const refused = await client.refreshTokenGrant(config, tokens.refresh_token as string).catch((e) => e);
    expect(refused).toBeInstanceOf(client.ResponseBodyError);
    expect(refused).toMatchObject({ error: "invalid_grant", status: 400 });
  });

  test("a wrong password surfaces as ResponseBodyError invalid_grant", async () => {
    const refused = await password({ email: DEMO.premium.email, password: "wrong" }).catch((e) => e);
    expect(refused).toBeInstanceOf(client.ResponseBodyError);
    expect(refused).toMatchObject({ error: "invalid_grant", status: 400 });
  });

  test("/login, the document's OAuth2 tokenUrl, is a token endpoint to it as well: tokens, and invalid_grant", async () => {
    const login = new client.Configuration(
      { issuer: config.serverMetadata().issuer, token_endpoint: `${gateway.url}/login` },
      "test-client",
      undefined,
      client.None(),
    );
    client.allowInsecureRequests(login);
    const grant = (secret: string) =>
      client.genericGrantRequest(login, "password", { username: DEMO.free.email, password: secret });
    expect((await grant(DEMO.free.password)).token_type).toBe("bearer");
    const refused = await grant("wrong").catch((e) => e);
    expect(refused).toBeInstanceOf(client.ResponseBodyError);
    expect(refused).toMatchObject({ error: "invalid_grant", status: 400 });
    const other = await client
      .genericGrantRequest(login, "client_credentials", { username: DEMO.free.email, password: "x" })
      .catch((e) => e);
    expect(other).toMatchObject({ error: "unsupported_grant_type", status: 400 });
  });
});
