import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type CliRun, run, tempHome } from "./cli.ts";

/**
 * Browser tests drive Debian's Chromium (`apt-get install chromium`) with playwright-core; Playwright's own
 * browser download is not used. Without it they are skipped with a line saying why, except under CI=true,
 * where that is a failure.
 */
export const CHROMIUM = "/usr/bin/chromium";

const problem = existsSync(CHROMIUM)
  ? null
  : `browser tests need Chromium at ${CHROMIUM} (apt-get install chromium): it is missing`;
if (problem !== null) {
  if (process.env.CI === "true") throw new Error(`${problem}; under CI=true this is a failure, not a skip`);
  console.warn(`SKIPPED: ${problem}`);
}

export const chromiumMissing = problem !== null;

/** Where browser tests leave screenshots (ignored by git). */
export const BROWSER_OUTPUT = join(import.meta.dir, "..", "..", "test-output", "browser");

// Without the background-networking flags Chromium keeps trying its own services, which a closed network
// refuses; QUIC and first-run extras are off for the same reason.
const ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh user data dir (no saved auth, cache or storage), removed on close. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "gateway-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface RunningGateway {
  /** `http://127.0.0.1:<port>`, from the startup line. */
  url: string;
  /** Everything the gateway printed so far (JSON log lines). */
  output(): string;
  /** Stops it as SIGTERM would and waits for the exit. */
  stop(): Promise<CliRun>;
}

/** `gateway serve --demo` on a free loopback port, in-process, plus any extra flags. */
export async function startGateway(flags: string[] = []): Promise<RunningGateway> {
  const home = tempHome();
  const controller = new AbortController();
  let seen = "";
  let found: (line: string) => void = () => {};
  const ready = new Promise<string>((resolve) => {
    found = resolve;
  });
  const done = run(
    ["serve", "--demo", "--demo-latency", "0", "--port", "0", "--host", "127.0.0.1", ...flags],
    {
      env: { XDG_CONFIG_HOME: home },
      signal: controller.signal,
      onStdout: (text) => {
        seen += text;
        const line = seen.split("\n").find((l) => l.includes('"gateway listening"'));
        if (line) found(line);
      },
    },
  );
  const line = await Promise.race([
    ready,
    done.then((r) => Promise.reject(new Error(`gateway exited early (${r.code}): ${r.stderr}`))),
  ]);
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    output: () => seen,
    stop: async () => {
      controller.abort();
      const result = await done;
      rmSync(home, { recursive: true, force: true });
      return result;
    },
  };
}

export function ensureOutputDir(): string {
  mkdirSync(BROWSER_OUTPUT, { recursive: true });
  return BROWSER_OUTPUT;
}
