import { expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { run, tempHome } from "./helpers/cli.ts";

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
