import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Page, Request } from "playwright-core";
import {
  type Browser,
  chromiumMissing,
  ensureOutputDir,
  launchBrowser,
  type RunningGateway,
  startGateway,
} from "../helpers/browser.ts";

/**
 * The API docs as a person uses them: Swagger UI in a real (headless) Chromium, served by a demo gateway,
 * Authorize with the OAuth2 password flow, then "Try it out" on GET /search.
 */
describe.skipIf(chromiumMissing)("Swagger UI at /docs in Chromium", () => {
  let gateway: RunningGateway;
  let browser: Browser;
  beforeAll(async () => {
    [gateway, browser] = await Promise.all([startGateway(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    expect((await gateway?.stop())?.code).toBe(0);
  });

  /** Opens /docs in a new page, recording every request it makes and every uncaught page error. */
  async function openDocs(): Promise<{ page: Page; requests: Request[]; errors: string[] }> {
    const page = await browser.newPage();
    const requests: Request[] = [];
    const errors: string[] = [];
    page.on("request", (request) => requests.push(request));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${gateway.url}/docs`);
    await page.locator(".swagger-ui .information-container").waitFor();
    return { page, requests, errors };
  }

  test("Authorize with the password flow, then Try it out on GET /search: 200 with products", async () => {
    const { page, errors } = await openDocs();
    try {
      await page.getByRole("button", { name: "Authorize" }).first().click();
      const dialog = page.locator(".modal-ux");
      await dialog.locator("#oauth_username").fill("premium@example.com");
      await dialog.locator("#oauth_password").fill("premium-pass");
      // client_id / client_secret stay empty: the gateway takes the form's username and password.
      const tokenCall = page.waitForResponse((r) => r.url() === `${gateway.url}/login`);
      await dialog.getByRole("button", { name: "Apply given OAuth2 credentials" }).click();
      const token = await tokenCall;
      expect(token.status()).toBe(200);
      expect(token.request().postData()).toContain("grant_type=password");
      const { access_token } = (await token.json()) as { access_token: string };
      await dialog.getByRole("button", { name: "Remove authorization" }).waitFor();
      await expect(dialog.locator("h6", { hasText: "Authorized" }).isVisible()).resolves.toBe(true);
      await dialog.getByRole("button", { name: "Close" }).last().click();
      await dialog.waitFor({ state: "detached" });

      const operation = page.locator("#operations-search-getSearch");
      await expect(operation.locator(".opblock-summary-path").textContent()).resolves.toBe("/search");
      await operation.locator(".opblock-summary").click();
      await operation.getByRole("button", { name: "Try it out" }).click();
      await operation.locator('tr[data-param-name="query"] input').fill("iphone");
      const searchCall = page.waitForResponse((r) => new URL(r.url()).pathname === "/search");
      await operation.getByRole("button", { name: "Execute" }).click();
      const search = await searchCall;
      // Swagger UI sends the token it got from /login.
      expect(search.request().headers().authorization).toBe(`Bearer ${access_token}`);

      const live = operation.locator(".live-responses-table");
      await live.waitFor();
      // The operation with its request and the live answer (the whole page is several screens long);
      // taken before the checks, so a failure leaves a picture of what Swagger UI showed.
      const screenshot = join(ensureOutputDir(), "docs-try-it-out.png");
      await operation.screenshot({ path: screenshot });
      expect(statSync(screenshot).size).toBeGreaterThan(10_000);
      // Only what the user filled in: an optional parameter left empty is not sent (limit=0 was a 422).
      expect(Object.fromEntries(new URL(search.url()).searchParams)).toEqual({ query: "iphone" });
      const status = (await live.locator("tr.response .response-col_status").first().textContent())?.trim();
      const body =
        (await live.locator("tr.response .response-col_description pre.microlight").first().textContent()) ??
        "";
      expect({ status, body: body.slice(0, 300) }).toEqual({ status: "200", body: expect.any(String) });
      const answer = JSON.parse(body) as { query: string; results: { title: string }[] };
      expect(answer.query).toBe("iphone");
      expect(answer.results.length).toBeGreaterThan(0);
      expect(answer.results.some((r) => r.title.includes("iPhone"))).toBe(true);
      await expect(live.textContent()).resolves.toContain("iPhone");

      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 60_000);

  test("the docs load nothing from outside the gateway's origin (they work offline)", async () => {
    const { page, requests, errors } = await openDocs();
    try {
      // Everything Swagger UI may lazily fetch: every operation expanded, the Authorize dialog opened.
      await page.locator(".opblock").first().waitFor();
      for (const summary of await page.locator(".opblock-summary").all()) await summary.click();
      await page.getByRole("button", { name: "Authorize" }).first().click();
      await page.locator(".modal-ux").waitFor();
      await page.waitForLoadState("networkidle");

      const urls = requests.map((r) => r.url());
      const outside = urls.filter((url) => !sameOriginOrLocal(url, gateway.url));
      expect(outside).toEqual([]);
      // The recording saw the page itself, its embedded assets and the spec.
      expect(urls).toEqual(
        expect.arrayContaining([
          `${gateway.url}/docs`,
          `${gateway.url}/docs/assets/swagger-ui-bundle.js`,
          `${gateway.url}/docs/assets/swagger-ui.css`,
          `${gateway.url}/docs/json`,
        ]),
      );
      expect(errors).toEqual([]);

      // And it would notice: a request to another port of the same host is another origin.
      const other = new URL(gateway.url);
      other.port = String(Number(other.port) === 65535 ? 1 : Number(other.port) + 1);
      const probe = page.waitForRequest(`${other.origin}/probe`);
      await page.evaluate((src) => void fetch(src).catch(() => {}), `${other.origin}/probe`);
      await probe;
      expect(requests.map((r) => r.url()).filter((url) => !sameOriginOrLocal(url, gateway.url))).toEqual([
        `${other.origin}/probe`,
      ]);
    } finally {
      await page.close();
    }
  }, 60_000);
});

function sameOriginOrLocal(url: string, origin: string): boolean {
  if (url.startsWith("data:") || url.startsWith("blob:")) return true;
  return new URL(url).origin === new URL(origin).origin;
}
