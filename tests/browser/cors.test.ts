import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import {
  type Browser,
  chromiumMissing,
  launchBrowser,
  type RunningGateway,
  startGateway,
} from "../helpers/browser.ts";

/**
 * CORS as a browser enforces it: a web app on one loopback origin calls a gateway on another (same host,
 * other port). The gateway's allow-list decides whether the page may read the answers.
 */

// The web app's own code, run by the page: log in, search with the token, read the exposed headers.
const APP_SCRIPT = `
window.searchFromPage = async (gateway) => {
  try {
    const login = await fetch(gateway + "/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
    });
    const { access_token } = await login.json();
    const search = await fetch(gateway + "/search?query=iphone&limit=3", {
      headers: { authorization: "Bearer " + access_token },
    });
    const body = await search.json();
    return {
      login: login.status,
      status: search.status,
      requestId: search.headers.get("x-request-id"),
      rateLimit: search.headers.get("ratelimit"),
      rateLimitPolicy: search.headers.get("ratelimit-policy"),
      bodyRequestId: body.request_id,
      titles: body.results.map((r) => r.title),
    };
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
};
// A "simple" request: no preflight, so the gateway answers and only the browser can withhold it.
window.healthFromPage = async (gateway) => {
  try {
    const response = await fetch(gateway + "/healthz");
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { error: { name: error.name, message: error.message } };
  }
};`;

type SearchOutcome =
  | {
      login: number;
      status: number;
      requestId: string | null;
      rateLimit: string | null;
      rateLimitPolicy: string | null;
      bodyRequestId: string;
      titles: string[];
    }
  | { error: { name: string; message: string } };
type HealthOutcome = { status: number; body: unknown } | { error: { name: string; message: string } };
type AppWindow = {
  searchFromPage(gateway: string): Promise<SearchOutcome>;
  healthFromPage(gateway: string): Promise<HealthOutcome>;
};

/** The gateway's access log lines for one method and route. */
function logged(gateway: RunningGateway, method: string, route: string | null): { status: number }[] {
  return gateway
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map(
      (line) => JSON.parse(line) as { msg: string; method?: string; route?: string | null; status: number },
    )
    .filter((entry) => entry.msg === "request" && entry.method === method && entry.route === route);
}

describe.skipIf(chromiumMissing)("CORS from a page on another origin (Chromium)", () => {
  let app: ReturnType<typeof Bun.serve>;
  let appOrigin: string;
  let allowing: RunningGateway;
  let refusing: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    app = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(
          `<!doctype html><html><head><title>web app</title></head><body><script>${APP_SCRIPT}</script></body></html>`,
          {
            headers: { "content-type": "text/html; charset=utf-8" },
          },
        ),
    });
    appOrigin = `http://127.0.0.1:${app.port}`;
    [allowing, refusing, browser] = await Promise.all([
      startGateway(["--cors-origins", appOrigin]),
      // The same port on another host name is another origin: the list must match exactly.
      startGateway(["--cors-origins", `http://localhost:${app.port}`]),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    const codes = await Promise.all([allowing?.stop(), refusing?.stop()]);
    app?.stop(true);
    expect(codes.map((c) => c?.code)).toEqual([0, 0]);
  });

  async function openApp(): Promise<{ page: Page; console: string[] }> {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on("console", (message) => console.push(message.text()));
    await page.goto(`${appOrigin}/`);
    const origin = await page.evaluate(
      () => (globalThis as unknown as { location: { origin: string } }).location.origin,
    );
    expect(origin).toBe(appOrigin);
    return { page, console };
  }

  test("an allowed origin logs in, searches with the bearer token and reads X-Request-Id and RateLimit", async () => {
    expect(new URL(allowing.url).origin).not.toBe(appOrigin);
    const { page } = await openApp();
    try {
      const outcome = await page.evaluate(
        (gateway) => (globalThis as unknown as AppWindow).searchFromPage(gateway),
        allowing.url,
      );
      if ("error" in outcome) throw new Error(`the page's fetch failed: ${JSON.stringify(outcome.error)}`);
      expect(outcome.login).toBe(200);
      expect(outcome.status).toBe(200);
      expect(outcome.titles.length).toBeGreaterThan(0);
      expect(outcome.titles.some((t) => t.includes("iPhone"))).toBe(true);
      // Only exposed headers are readable cross-origin: these are, and they carry real values.
      expect(outcome.requestId).toBe(outcome.bodyRequestId);
      expect(outcome.rateLimit).toMatch(/^"[a-z-]+";r=\d+;t=\d+$/);
      expect(outcome.rateLimitPolicy).toContain(";q=");
      // The browser asked first (JSON body, Authorization header), and the gateway said yes.
      expect(logged(allowing, "POST", "/login").map((e) => e.status)).toContain(200);
      expect(logged(allowing, "GET", "/search").map((e) => e.status)).toContain(200);

      await expect(
        page.evaluate(
          (gateway) => (globalThis as unknown as AppWindow).healthFromPage(gateway),
          allowing.url,
        ),
      ).resolves.toEqual({ status: 200, body: { status: "ok" } });
    } finally {
      await page.close();
    }
  }, 60_000);

  test("an origin not in the list: fetch rejects with a TypeError, though the gateway is up", async () => {
    const { page, console } = await openApp();
    try {
      const outcome = await page.evaluate(
        (gateway) => (globalThis as unknown as AppWindow).searchFromPage(gateway),
        refusing.url,
      );
      expect(outcome).toEqual({ error: { name: "TypeError", message: "Failed to fetch" } });
      const health = await page.evaluate(
        (gateway) => (globalThis as unknown as AppWindow).healthFromPage(gateway),
        refusing.url,
      );
      expect(health).toEqual({ error: { name: "TypeError", message: "Failed to fetch" } });
      // Refused by CORS, not by the network: the gateway answered, the browser withheld the answers.
      expect(
        console.filter((m) => m.includes("has been blocked by CORS policy")).length,
      ).toBeGreaterThanOrEqual(2);
      expect(logged(refusing, "GET", "/healthz").map((e) => e.status)).toContain(200);
      // The login's preflight was refused (403), so the login itself was never sent.
      expect(logged(refusing, "OPTIONS", null).map((e) => e.status)).toContain(403);
      expect(logged(refusing, "POST", "/login")).toEqual([]);
      // From outside a browser the same gateway works (CORS binds browsers only).
      expect((await fetch(`${refusing.url}/healthz`)).status).toBe(200);
    } finally {
      await page.close();
    }
  }, 60_000);
});
