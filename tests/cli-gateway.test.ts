import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { humanDuration } from "../cli/lib/duration.ts";
import { renderTable } from "../cli/lib/table.ts";
import type { RunningGateway } from "../src/server.ts";
import { run, tempHome } from "./helpers/cli.ts";
import { configFile, serveGateway, startBackends } from "./helpers/stack.ts";

/**
 * The CLI as a client of a running gateway: real gateways on loopback sockets over the reference
 * backends, the CLI run in-process against them over real HTTP with nothing but a config directory in
 * its environment (no secret, no key ring, no backend URL).
 */
let backends: Awaited<ReturnType<typeof startBackends>>;
let gateway: RunningGateway;
/** A free plan of one request per minute, for the 429. */
let tight: RunningGateway;
const logs: string[] = [];
const homes: string[] = [];

const boot = (flags: Record<string, unknown>, into: string[] = []) =>
  serveGateway(backends, flags, into, "info").gateway;

beforeAll(async () => {
  backends = await startBackends();
  // No grace: a refresh token used once is refused at once, so the test can tell old from new.
  gateway = boot({ refreshGrace: 0 }, logs);
  tight = boot({ config: configFile({ plans: { free: { requestsPerMinute: 1 } } }) });
});
afterAll(async () => {
  await Promise.all([gateway.stop(100), tight.stop(100)]);
  await backends.close();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function freshEnv(extra: Record<string, string> = {}): Record<string, string> {
  const home = tempHome();
  homes.push(home);
  return { XDG_CONFIG_HOME: home, ...extra };
}

interface SavedSession {
  access_token: string;
  refresh_token: string;
  expires_at: string;
  refresh_expires_at: string;
  email: string;
}
interface SavedFile {
  url?: string;
  access_token?: string;
  gateways?: Record<string, SavedSession>;
}

const credentialsOf = (env: Record<string, string>) =>
  join(env.XDG_CONFIG_HOME ?? "", "gateway", "credentials.json");
const readSaved = (env: Record<string, string>) =>
  JSON.parse(readFileSync(credentialsOf(env), "utf8")) as SavedFile;
const writeSaved = (env: Record<string, string>, file: SavedFile) =>
  writeFileSync(credentialsOf(env), JSON.stringify(file));

async function login(env: Record<string, string>, email: string, password: string, url = gateway.url) {
  return run(["login", "--url", url, "--email", email, "--password-stdin"], { env, stdin: `${password}\n` });
}

const refreshWith = (refreshToken: string) =>
  fetch(`${gateway.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }),
  });

const IN_PROCESS =
  "(no gateway URL: using the in-process reference backends (demo); --url or GATEWAY_URL names a running gateway)";

describe("gateway login/profile/search --url: over HTTP to a running gateway", () => {
  test("login saves access and refresh token per gateway URL (0600); profile and search use them", async () => {
    const env = freshEnv();
    const result = await login(env, "premium@example.com", "premium-pass");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${gateway.url} as premium@example.com.`);
    expect(statSync(credentialsOf(env)).mode & 0o777).toBe(0o600);
    const saved = readSaved(env);
    expect(saved.url).toBe(gateway.url);
    const session = saved.gateways?.[gateway.url];
    expect(session?.email).toBe("premium@example.com");
    expect(session?.access_token.split(".")).toHaveLength(3);
    expect(session?.refresh_token.length).toBeGreaterThan(40);
    expect(Date.parse(session?.refresh_expires_at ?? "")).toBeGreaterThan(
      Date.parse(session?.expires_at ?? ""),
    );

    const profile = await run(["profile", "--json"], { env });
    expect(profile.code).toBe(0);
    expect(profile.stderr).toBe("");
    expect(JSON.parse(profile.stdout)).toMatchObject({ email: "premium@example.com", plan: "premium" });

    const seen = logs.length;
    const search = await run(["search", "iphone", "-n", "3"], { env });
    expect(search.code).toBe(0);
    expect(search.stdout).toContain("iPhone");
    expect(search.stderr).not.toContain("no gateway URL");
    // The running gateway served it: its access log gets the search (after the answer, so waited for).
    const served = () =>
      logs
        .slice(seen)
        .map((l) => JSON.parse(l) as { msg: string; route?: string; status?: number })
        .some((l) => l.msg === "request" && l.route === "/search" && l.status === 200);
    while (!served()) await Bun.sleep(1);
  });

  test("GATEWAY_URL names the gateway without --url", async () => {
    const env = freshEnv({ GATEWAY_URL: `${gateway.url}/` });
    const loggedIn = await run(["login", "--email", "free@example.com", "--password-stdin"], {
      env,
      stdin: "free-pass",
    });
    expect(loggedIn.code).toBe(0);
    expect(readSaved(env).gateways?.[gateway.url]?.email).toBe("free@example.com");
    const profile = await run(["profile"], { env });
    expect(profile.code).toBe(0);
    expect(profile.stdout).toContain("free@example.com");
    expect(profile.stdout).toMatch(/^plan: +free$/m);
  });

  test("an access token near exp is renewed over POST /token first; the new pair is saved", async () => {
    const env = freshEnv();
    expect((await login(env, "premium@example.com", "premium-pass")).code).toBe(0);
    const before = readSaved(env);
    const old = before.gateways?.[gateway.url] as SavedSession;
    // As if the 15 minutes had passed: the CLI goes by the saved expiry, and must renew before sending.
    writeSaved(env, {
      ...before,
      gateways: { [gateway.url]: { ...old, expires_at: new Date(Date.now() - 1000).toISOString() } },
    });
    const profile = await run(["profile", "--json"], { env });
    expect(profile.code).toBe(0);
    expect(JSON.parse(profile.stdout).email).toBe("premium@example.com");
    const renewed = readSaved(env).gateways?.[gateway.url] as SavedSession;
    expect(renewed.refresh_token).not.toBe(old.refresh_token);
    expect(renewed.access_token).not.toBe(old.access_token);
    expect(Date.parse(renewed.expires_at)).toBeGreaterThan(Date.now() + 60_000);
    expect(statSync(credentialsOf(env)).mode & 0o777).toBe(0o600);
    // The gateway rotated it: the old refresh token is spent.
    const replay = await refreshWith(old.refresh_token);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("an access token the gateway refuses (401) is renewed once and the call made again", async () => {
    const env = freshEnv();
    expect((await login(env, "free@example.com", "free-pass")).code).toBe(0);
    const before = readSaved(env);
    const old = before.gateways?.[gateway.url] as SavedSession;
    writeSaved(env, { ...before, gateways: { [gateway.url]: { ...old, access_token: "not.a.token" } } });
    const search = await run(["search", "macbook", "--json"], { env });
    expect(search.code).toBe(0);
    expect(JSON.parse(search.stdout).results.length).toBeGreaterThan(0);
    const renewed = readSaved(env).gateways?.[gateway.url] as SavedSession;
    expect(renewed.refresh_token).not.toBe(old.refresh_token);
    expect(renewed.access_token).not.toBe("not.a.token");
  });

  test("a session the gateway ended: exit 3, one line, and the saved session is deleted", async () => {
    const env = freshEnv();
    expect((await login(env, "free@example.com", "free-pass")).code).toBe(0);
    const before = readSaved(env);
    const old = before.gateways?.[gateway.url] as SavedSession;
    writeSaved(env, {
      ...before,
      gateways: { [gateway.url]: { ...old, access_token: "not.a.token", refresh_token: "r".repeat(43) } },
    });
    const profile = await run(["profile"], { env });
    expect(profile.code).toBe(3);
    expect(profile.stderr.trim().split("\n")).toHaveLength(1);
    expect(profile.stderr).toStartWith(`gateway: the session with ${gateway.url} has ended (`);
    expect(profile.stderr).toContain(`gateway login --url ${gateway.url}`);
    expect(readSaved(env).gateways?.[gateway.url]).toBeUndefined();
  });

  test("logout revokes the session on the gateway and deletes it here", async () => {
    const env = freshEnv();
    expect((await login(env, "premium@example.com", "premium-pass")).code).toBe(0);
    const session = readSaved(env).gateways?.[gateway.url] as SavedSession;
    const result = await run(["logout"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`Logged out of ${gateway.url}.`);
    expect(readSaved(env).gateways?.[gateway.url]).toBeUndefined();
    expect(readFileSync(credentialsOf(env), "utf8")).not.toContain(session.refresh_token);
    // Over on the gateway too: neither token works any more.
    const refreshed = await refreshWith(session.refresh_token);
    expect(refreshed.status).toBe(400);
    expect(((await refreshed.json()) as { error: string }).error).toBe("invalid_grant");
    const profile = await fetch(`${gateway.url}/profile`, {
      headers: { authorization: `Bearer ${session.access_token}` },
    });
    expect(profile.status).toBe(401);
    // And a second logout has nothing to log out of.
    const again = await run(["logout"], { env });
    expect(again.code).toBe(3);
    expect(again.stderr.trim()).toBe(`gateway: not logged in to ${gateway.url}`);
  });

  test("logout with the gateway unreachable still deletes the session here, says so, exits 1", async () => {
    const env = freshEnv();
    const offline = boot({});
    expect((await login(env, "free@example.com", "free-pass", offline.url)).code).toBe(0);
    await offline.stop(0);
    const result = await run(["logout"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toStartWith(`gateway: could not reach ${offline.url} (`);
    expect(result.stderr).toContain("the saved session was deleted here, but the gateway still accepts it");
    expect(readSaved(env).gateways?.[offline.url]).toBeUndefined();
  });
});

describe("exit codes and error lines for the gateway's answers", () => {
  test("401: wrong password, exit 3, the problem's detail on one line", async () => {
    const env = freshEnv();
    const result = await login(env, "free@example.com", "wrong");
    expect(result.code).toBe(3);
    expect(result.stderr).toBe("gateway: The email or password is incorrect.\n");
  });

  test("403: more categories than the plan allows, exit 4", async () => {
    const env = freshEnv();
    expect((await login(env, "free@example.com", "free-pass")).code).toBe(0);
    const result = await run(["search", "apple", "-c", "phones", "-c", "laptops", "-c", "tablets"], { env });
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      "gateway: Your free plan allows at most 2 categories per search; 3 were given.\n",
    );
  });

  test("429: the plan's requests per minute used up, exit 5", async () => {
    const env = freshEnv();
    expect((await login(env, "free@example.com", "free-pass", tight.url)).code).toBe(0);
    expect((await run(["profile"], { env })).code).toBe(0);
    const limited = await run(["profile"], { env });
    expect(limited.code).toBe(5);
    expect(limited.stderr).toMatch(/^gateway: More than 1 requests per minute; retry in \d+ s\.\n$/);
  });

  test("unreachable: exit 1, one line, no stack trace", async () => {
    const env = freshEnv();
    const closed = boot({});
    await closed.stop(0);
    const result = await login(env, "free@example.com", "free-pass", closed.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`gateway: could not reach ${closed.url} (`);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\bat .+:\d+:\d+/);
  });

  test("a plain-http URL to another host is refused before the password is sent: exit 2", async () => {
    const env = freshEnv();
    const result = await login(env, "free@example.com", "free-pass", "http://gateway.example.com");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "gateway: --url: http:// would send the password and tokens in clear text; use https:// (http:// only to localhost or a loopback address)\n",
    );
  });

  test("usage errors use the same prefix", async () => {
    const result = await run(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("gateway: unknown command 'frobnicate'");
  });
});

describe("search and profile output", () => {
  test("a -n above the plan's maximum says so (over HTTP and in-process)", async () => {
    const env = freshEnv();
    expect((await login(env, "free@example.com", "free-pass")).code).toBe(0);
    const remote = await run(["search", "macbook", "-n", "500"], { env });
    expect(remote.code).toBe(0);
    expect(remote.stderr).toContain("500 requested, the free plan's maximum is 20\n");
    const local = freshEnv();
    await run(["login", "--email", "free@example.com", "--password-stdin"], {
      env: local,
      stdin: "free-pass",
    });
    const inProcess = await run(["search", "macbook", "-n", "500"], { env: local });
    expect(inProcess.code).toBe(0);
    expect(inProcess.stderr.split("\n")).toEqual([
      IN_PROCESS,
      "500 requested, the free plan's maximum is 20",
      expect.stringMatching(
        /^\d+ results \(limit 20; free plan; 29 of 30 requests this minute left, renews in \d+s\)$/,
      ),
      "",
    ]);
  });

  test("without a gateway URL the one-off commands say they run in-process, and still work", async () => {
    const result = await run(["search", "iphone"], { env: freshEnv() });
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe(IN_PROCESS);
    expect(result.stdout).toContain("iPhone");
  });

  test("prices are right-aligned: the decimal points line up", async () => {
    const env = freshEnv();
    expect((await login(env, "premium@example.com", "premium-pass")).code).toBe(0);
    const result = await run(["search", "apple", "-n", "50"], { env });
    expect(result.code).toBe(0);
    const [header = "", , ...rows] = result.stdout.trimEnd().split("\n");
    const priceEnd = header.indexOf("PRICE") + "PRICE".length;
    const prices = rows.map((row) => /(\d+\.\d\d [A-Z]{3}) {2}/.exec(row));
    expect(rows.length).toBeGreaterThan(1);
    for (const match of prices) expect((match?.index ?? 0) + (match?.[1]?.length ?? 0)).toBe(priceEnd);
    // Else the check above would hold for left-aligned prices too.
    expect(new Set(prices.map((m) => m?.[1]?.length)).size).toBeGreaterThan(1);
  });

  test("renderTable right-aligns the columns asked for", () => {
    expect(
      renderTable(
        ["NAME", "PRICE"],
        [
          ["a", "9.99 USD"],
          ["b", "1234.50 USD"],
        ],
        ["left", "right"],
      ),
    ).toBe(["NAME        PRICE", "----  -----------", "a        9.99 USD", "b     1234.50 USD"].join("\n"));
  });

  test("durations are written as people read them", () => {
    expect([0, 1, 59, 60, 61, 3600, 46_260, 46_299, 86_400, 31_449_600].map(humanDuration)).toEqual([
      "0s",
      "1s",
      "59s",
      "1m",
      "1m 1s",
      "1h",
      "12h 51m",
      "12h 51m",
      "1d",
      "364d",
    ]);
  });

  test("profile: renewals and the premium expiry as durations", async () => {
    const env = freshEnv();
    expect((await login(env, "premium@example.com", "premium-pass")).code).toBe(0);
    const result = await run(["profile"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^requests: +\d+ of 300 per minute left \(renews in \d+s\)$/m);
    expect(result.stdout).toMatch(/^subscription: +premium, active, expires \S+ \(in 36[45]d( \d+h)?\)$/m);
    const free = freshEnv();
    expect((await login(free, "free@example.com", "free-pass")).code).toBe(0);
    const day = await run(["profile"], { env: free });
    expect(day.stdout).toMatch(
      /^searches: +\d+ of 200 per UTC day left \(renews in (\d+h \d+m|\d+h|\d+m \d+s|\d+m|\d+s)\)$/m,
    );
  });

  test("the credentials file of an older version (one in-process token) is still read", async () => {
    const env = freshEnv();
    await run(["login", "--email", "free@example.com", "--password-stdin"], { env, stdin: "free-pass" });
    const { access_token, expires_at, email } = readSaved(env) as SavedFile & {
      expires_at: string;
      email: string;
    };
    writeSaved(env, { access_token, expires_at, email } as SavedFile);
    const profile = await run(["profile", "--json"], { env });
    expect(profile.code).toBe(0);
    expect(JSON.parse(profile.stdout).email).toBe("free@example.com");
    // A gateway login keeps it beside the new session.
    expect((await login(env, "premium@example.com", "premium-pass")).code).toBe(0);
    expect(readSaved(env).access_token).toBe(access_token);
  });
});
