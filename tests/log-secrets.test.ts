import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { createLogger } from "../src/core/logger.ts";
import { run, tempHome } from "./helpers/cli.ts";
import { aggregatorAnswer, faults, forwardTo, startFakeBackend } from "./helpers/fake-backend.ts";
import { startBackends } from "./helpers/stack.ts";

/** A full run of `gateway serve` with every kind of request: its logs must hold no credential of any kind. */
test("no password, token or secret reaches the logs of a full run", async () => {
  const home = tempHome();
  const controller = new AbortController();
  let stdout = "";
  let announce: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const secret = "a-jwt-secret-that-must-never-be-logged-0123456789";
  const metricsToken = "metrics-token-never-logged";
  const done = run(
    [
      "serve",
      "--demo",
      "--demo-latency",
      "0",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--jwt-secret",
      secret,
      "--metrics-token",
      metricsToken,
    ],
    {
      env: { XDG_CONFIG_HOME: home, GATEWAY_LOG_LEVEL: "debug" },
      signal: controller.signal,
      onStdout: (text) => {
        stdout += text;
        const url = /"msg":"gateway listening".*?"url":"([^"]+)"/.exec(stdout)?.[1];
        if (url) announce(url);
      },
    },
  );
  const url = await ready;
  const post = (body: string, type = "application/json") =>
    fetch(`${url}/login`, { method: "POST", headers: { "content-type": type }, body });
  const tokens: string[] = [];
  for (const response of [
    await post(JSON.stringify({ email: "premium@example.com", password: "premium-pass" })),
    await post(
      "username=free%40example.com&password=free-pass&grant_type=password",
      "application/x-www-form-urlencoded",
    ),
  ]) {
    tokens.push(((await response.json()) as { access_token: string }).access_token);
  }
  await post(JSON.stringify({ email: "premium@example.com", password: "a-wrong-password-attempt" }));
  for (const token of tokens) {
    await fetch(`${url}/profile`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`${url}/search?query=iphone`, { headers: { authorization: `Bearer ${token}` } });
  }
  await fetch(`${url}/profile`, { headers: { authorization: "Bearer not.a-valid.token-value" } });
  await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  await fetch(`${url}/metrics`, { headers: { authorization: "Bearer guessed-metrics-token" } });
  controller.abort();
  const result = await done;
  rmSync(home, { recursive: true, force: true });

  expect(result.code).toBe(0);
  const lines = stdout.trim().split("\n");
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) JSON.parse(line); // every log line is JSON
  const everything = stdout + result.stderr;
  for (const secretValue of [
    secret,
    metricsToken,
    ...tokens,
    "not.a-valid.token-value",
    "guessed-metrics-token",
  ]) {
    expect(everything).not.toContain(secretValue);
  }
  // The demo banner (stderr) shows the demo passwords on purpose; the logs never do.
  for (const password of ["premium-pass", "free-pass", "a-wrong-password-attempt"]) {
    expect(stdout).not.toContain(password);
  }
  expect(stdout.toLowerCase()).not.toContain("bearer");
});

/** Backend URLs with credentials in their userinfo: used for the calls, shown nowhere. */
test("the password in a backend URL's userinfo is never logged, printed or answered", async () => {
  const home = tempHome();
  const backends = await startBackends();
  const users = startFakeBackend(forwardTo(backends.users.url));
  const aggregator = startFakeBackend(aggregatorAnswer());
  const withUserinfo = (url: string, userinfo: string) => url.replace("http://", `http://${userinfo}@`);
  const usersPassword = "users-pass-in-the-url";
  const aggregatorPassword = "aggregator-pass-in-the-url";
  const controller = new AbortController();
  let stdout = "";
  let announce: (url: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const done = run(
    [
      "serve",
      "--demo", // for the banner; both URLs are given, so no reference backend is started
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--users-url",
      withUserinfo(users.url, `svc:${usersPassword}`),
      "--aggregator-url",
      withUserinfo(aggregator.url, `agg:${aggregatorPassword}`),
    ],
    {
      env: { XDG_CONFIG_HOME: home, GATEWAY_LOG_LEVEL: "debug", GATEWAY_LOG_FORMAT: "pretty" },
      signal: controller.signal,
      onStdout: (text) => {
        stdout += text;
        const url = /gateway listening url=(\S+)/.exec(stdout)?.[1];
        if (url) announce(url);
      },
    },
  );
  const url = await ready;
  const login = await fetch(`${url}/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "premium@example.com", password: "premium-pass" }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const bodies: string[] = [];
  const readyz = await fetch(`${url}/readyz`);
  expect(readyz.status).toBe(200);
  bodies.push(await readyz.text());
  const search = (query: string) =>
    fetch(`${url}/search?query=${query}`, { headers: { authorization: `Bearer ${token}` } });
  expect((await search("iphone")).status).toBe(200);
  aggregator.behave(faults.status(500));
  const failed = await search("not-cached");
  expect(failed.status).toBe(502);
  bodies.push(await failed.text());
  aggregator.behave(() => new Response(null, { status: 500 }));
  users.behave(() => new Response(null, { status: 500 }));
  const unready = await fetch(`${url}/readyz`);
  expect(unready.status).toBe(503);
  bodies.push(await unready.text());
  controller.abort();
  const result = await done;
  // A URL the config refuses is quoted in the error, without its userinfo.
  const refused = await run(["serve", "--users-url", `http://svc:${usersPassword}@host:99999`], {
    env: { XDG_CONFIG_HOME: home },
  });
  await Promise.all([users.stop(), aggregator.stop(), backends.close()]);
  rmSync(home, { recursive: true, force: true });

  expect(result.code).toBe(0);
  // The credentials were used: fetch sends a URL's userinfo as Basic authentication.
  expect(aggregator.calls[0]?.headers.get("authorization")).toBe(
    `Basic ${btoa(`agg:${aggregatorPassword}`)}`,
  );
  expect(stdout).toContain("users_url=http://[redacted]@127.0.0.1:");
  expect(stdout).toContain("aggregator_url=http://[redacted]@127.0.0.1:");
  expect(stdout).toContain("request failed");
  expect(result.stderr).toContain("Search Gateway (demo mode)");
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(
    '--users-url: expected a URL (http or https), got "http://[redacted]@host:99999"',
  );
  for (const shown of [stdout, result.stderr, refused.stderr, ...bodies]) {
    expect(shown).not.toContain(usersPassword);
    expect(shown).not.toContain(aggregatorPassword);
  }
});

test("log lines cut the userinfo out of every URL: messages, string fields, errors and their causes", () => {
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line)).child({
    upstream: "redis://:redis-pass@cache:6379/0",
  });
  const cause = new TypeError('UnexpectedRedirect fetching "http://svc:fetch-pass@users:8081/v1/healthz"');
  logger.warn("calling grpcs://agg:msg-pass@aggregator:50051 failed", {
    url: "https://user:field-pass@example.com/path?q=1",
    list: "http://a:one-pass@x and http://b:two%40pass@y/z",
    error: new Error("gave up on http://u:p@ss-pass@host/", { cause }),
  });
  expect(lines.length).toBe(1);
  const line = lines[0] ?? "";
  for (const secret of [
    "redis-pass",
    "fetch-pass",
    "msg-pass",
    "field-pass",
    "one-pass",
    "two%40pass",
    "ss-pass",
  ])
    expect(line).not.toContain(secret);
  const record = JSON.parse(line);
  expect(record.msg).toBe("calling grpcs://[redacted]@aggregator:50051 failed");
  expect(record.upstream).toBe("redis://[redacted]@cache:6379/0");
  expect(record.url).toBe("https://[redacted]@example.com/path?q=1");
  expect(record.list).toBe("http://[redacted]@x and http://[redacted]@y/z");
  expect(record.error.message).toBe("gave up on http://[redacted]@host/");
  expect(record.error.cause.message).toBe(
    'UnexpectedRedirect fetching "http://[redacted]@users:8081/v1/healthz"',
  );
});
