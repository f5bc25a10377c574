import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix } from "node:path";
import { settings } from "../../src/core/config/settings.ts";
import { readUntil } from "../helpers/lines.ts";
import { composeGatewayEnv } from "./helpers/compose.ts";
import {
  binaryCopy,
  buildStage,
  contextFiles,
  copyParts,
  execForm,
  finalStage,
  imageEnv,
  imageGid,
  imageUid,
  last,
  parseEnvInstruction,
} from "./helpers/dockerfile.ts";
import { CI, root } from "./helpers/env.ts";
import { gatewayEnv } from "./helpers/k8s.ts";

/**
 * The image's build and run, without a Docker engine: the build stage is replayed by hand (the build context
 * filtered by .dockerignore, the same COPY and RUN steps), and the binary it produces is started as the
 * image's non-root user from a directory that user cannot write, health-checked with the image's own
 * HEALTHCHECK command and stopped with its STOPSIGNAL.
 */

/** Runs a command as the image's user: setpriv as root, as is when already not root. */
function asImageUser(): string[] | string {
  if (process.getuid?.() !== 0) return [];
  const setpriv = Bun.which("setpriv");
  if (setpriv) return [setpriv, `--reuid=${imageUid}`, `--regid=${imageGid}`, "--clear-groups", "--"];
  return "running as root without setpriv (Debian package util-linux) to drop to the image's user";
}
const runner = asImageUser();
if (typeof runner === "string" && CI)
  throw new Error(`under CI the non-root run cannot be skipped: ${runner}`);
const skipNonRoot = typeof runner === "string" ? ` [skipped: ${runner}]` : "";

const work = mkdtempSync(join(tmpdir(), "gateway-deploy-"));
chmodSync(work, 0o755);
const context = join(work, "context");
const buildFs = join(work, "build-fs");
const imageFs = join(work, "image-fs");
/** Where the replayed final stage put the binary. */
let binary = "";

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port as number;
  await server.stop(true);
  return port;
}

describe("the image's binary, built as the Dockerfile builds it", () => {
  beforeAll(() => {
    for (const file of contextFiles()) cpSync(join(root, file), join(context, file), { recursive: true });
    if (!buildStage) throw new Error("no build stage");
    let workdir = "/";
    const env: Record<string, string> = {};
    for (const { keyword, args } of buildStage.instructions) {
      const cwd = join(buildFs, workdir);
      if (keyword === "WORKDIR") {
        workdir = posix.resolve(workdir, args);
        mkdirSync(join(buildFs, workdir), { recursive: true });
      } else if (keyword === "ENV") {
        Object.assign(env, parseEnvInstruction(args));
      } else if (keyword === "ARG") {
        // build arguments only label the image
      } else if (keyword === "COPY") {
        const { flags, sources, dest } = copyParts(args);
        if (flags.has("from")) throw new Error(`the build stage copies from another stage: ${args}`);
        const target = join(buildFs, posix.resolve(workdir, dest));
        for (const source of sources) {
          const from = join(context, source);
          if (!existsSync(from)) throw new Error(`COPY ${source}: not in the build context (.dockerignore?)`);
          const dir = statSync(from).isDirectory();
          cpSync(from, dir ? target : join(target, basename(source)), { recursive: true });
        }
      } else if (keyword === "RUN" && /^npm ci\b/.test(args)) {
        // The install itself needs the registry; the checkout's node_modules came from the same lockfile.
        symlinkSync(join(root, "node_modules"), join(cwd, "node_modules"));
      } else if (keyword === "RUN") {
        const run = Bun.spawnSync(["sh", "-c", args], {
          cwd,
          env: { ...process.env, ...env },
          stdout: "pipe",
          stderr: "pipe",
        });
        if (run.exitCode !== 0) throw new Error(`RUN ${args} failed: ${run.stdout}${run.stderr}`);
      } else {
        throw new Error(`the build stage has a ${keyword} step this replay does not know`);
      }
    }
    // The final stage's COPY --from=build, with its mode.
    if (!binaryCopy) throw new Error("the final stage does not copy from the build stage");
    const built = join(buildFs, binaryCopy.sources[0] ?? "");
    if (!existsSync(built)) throw new Error(`the build stage made no ${binaryCopy.sources[0]}`);
    binary = join(imageFs, binaryCopy.dest);
    cpSync(built, binary);
    chmodSync(binary, Number.parseInt(binaryCopy.flags.get("chmod") ?? "755", 8));
    for (let dir = dirname(binary); dir.startsWith(work); dir = dirname(dir)) chmodSync(dir, 0o755);
  }, 180_000);

  test("the binary is executable, not writable by its user, and answers --version", () => {
    const chmod = binaryCopy?.flags.get("chmod");
    if (chmod) expect((statSync(binary).mode & 0o7777).toString(8)).toBe(chmod.replace(/^0+(?=\d)/, ""));
    // Owned by root (--chown=0:0) and writable by nobody else: the process cannot replace it.
    expect(binaryCopy?.flags.get("chown")?.split(":")[0]).toMatch(/^(0|root)$/);
    expect(statSync(binary).mode & 0o022).toBe(0);
    const version = Bun.spawnSync([binary, "--version"], { env: { PATH: "/usr/bin:/bin" } });
    expect(version.exitCode).toBe(0);
  });

  test("the binary starts with the compose file's and the demo manifests' settings, and refuses the base's placeholder", async () => {
    const demo = gatewayEnv("demo");
    const environments: [string, Record<string, string>][] = [
      [
        "docker-compose.yml",
        {
          ...Object.fromEntries(composeGatewayEnv),
          [settings.jwtSecret.env]: "x".repeat(32),
          [settings.metricsToken.env]: "test-token-of-16-bytes-or-more",
        },
      ],
      ["deploy/k8s/demo", Object.fromEntries(demo)],
    ];
    for (const [where, given] of environments) {
      // Same settings, but on free loopback ports and without the drain delay, so that the test is quick.
      const env = {
        ...imageEnv,
        ...given,
        PATH: "/usr/bin:/bin",
        HOME: work,
        [settings.host.env]: "127.0.0.1",
        [settings.port.env]: "0",
        [settings.adminPort.env]: "0",
        [settings.drainDelayMs.env]: "0",
      };
      const child = Bun.spawn([binary, "serve"], { cwd: work, env, stdout: "pipe", stderr: "pipe" });
      try {
        const line = await readUntil(child.stdout, /gateway listening/);
        const started = JSON.parse(line) as {
          url: string;
          metrics_url: string;
          demo: boolean;
          limits: string;
        };
        expect([where, started.demo]).toEqual([where, false]);
        expect([where, started.limits]).toEqual([where, expect.stringMatching(/^redis/)]);
        // /metrics is on the admin port, not the public one.
        expect(new URL(started.metrics_url).port).not.toBe(new URL(started.url).port);
      } finally {
        child.kill("SIGTERM");
      }
      expect([where, await child.exited]).toEqual([where, 0]);
    }

    const base = gatewayEnv("base");
    const refused = Bun.spawnSync([binary, "serve"], {
      cwd: work,
      env: { ...imageEnv, ...Object.fromEntries(base), PATH: "/usr/bin:/bin", HOME: work },
      stderr: "pipe",
    });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.toString()).toContain(settings.jwtSecret.env);
  }, 30_000);

  test.skipIf(typeof runner === "string")(
    `runs as the image's user from a directory it cannot write; healthcheck says 0, then 1; SIGTERM exits 0${skipNonRoot}`,
    async () => {
      const prefix = runner as string[];
      // Nothing writable: not the working directory, HOME, XDG_CONFIG_HOME nor TMPDIR.
      const locked = join(work, "locked");
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      const env = {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        HOME: locked,
        XDG_CONFIG_HOME: locked,
        TMPDIR: locked,
        ...imageEnv,
      };
      const touch = Bun.which("touch");
      if (touch && prefix.length > 0) {
        const probe = Bun.spawnSync([...prefix, touch, join(locked, "probe")], { env, stderr: "pipe" });
        expect(probe.exitCode).not.toBe(0);
      }

      const child = Bun.spawn([...prefix, binary, "serve", "--demo", "--port", "0", "--host", "127.0.0.1"], {
        cwd: locked,
        env,
        stdout: "pipe",
        stderr: "pipe",
      });
      let stopped = false;
      try {
        const line = await readUntil(child.stdout, /gateway listening/);
        const { url } = JSON.parse(line) as { url: string };
        const port = new URL(url).port;
        if (prefix.length > 0) {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe(imageUid);
          expect(/^Gid:\s+(\d+)/m.exec(status)?.[1]).toBe(imageGid);
        }

        const health = await fetch(`${url}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: "ok" });
        expect((await fetch(`${url}/readyz`)).status).toBe(200);

        // The image's HEALTHCHECK command as is: it finds the port through GATEWAY_PORT.
        const cmd = /CMD\s+(.+)$/.exec(last(finalStage, "HEALTHCHECK") ?? "")?.[1] ?? "";
        const [, ...healthArgs] = execForm(cmd);
        const asImage = Bun.spawnSync([...prefix, binary, ...healthArgs], {
          env: { ...env, GATEWAY_PORT: port },
          stdout: "pipe",
          stderr: "pipe",
        });
        expect(asImage.stderr.toString()).toBe("");
        expect(asImage.exitCode).toBe(0);
        expect(asImage.stdout.toString().trim()).toBe("healthy");

        const withUrl = Bun.spawnSync([...prefix, binary, "healthcheck", "--url", url], { env });
        expect(withUrl.exitCode).toBe(0);

        const dead = await freePort();
        const down = Bun.spawnSync(
          [...prefix, binary, "healthcheck", "--url", `http://127.0.0.1:${dead}`, "--timeout-ms", "1000"],
          { env, stdout: "pipe", stderr: "pipe" },
        );
        expect(down.exitCode).toBe(1);
        expect(down.stderr.toString()).toContain("unhealthy");

        child.kill(last(finalStage, "STOPSIGNAL") as NodeJS.Signals);
        stopped = true;
        expect(await child.exited).toBe(0);
        expect(readdirSync(locked)).toEqual([]);
      } finally {
        if (!stopped) child.kill("SIGKILL");
      }
    },
    30_000,
  );
});
