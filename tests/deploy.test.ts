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
import { basename, dirname, join, posix, relative } from "node:path";
import { configFileSetting, type Setting, settings } from "../src/core/config/settings.ts";
import { TrustedProxies } from "../src/core/security/client-ip.ts";
import { readUntil } from "./helpers/lines.ts";

/**
 * The deployment files, checked without a Docker engine or a cluster:
 * - Dockerfile: its build stage is replayed by hand (the build context filtered by .dockerignore, the same
 *   RUN steps), and the binary it produces is started as the image's non-root user from a directory that
 *   user cannot write, health-checked with the image's own HEALTHCHECK command and stopped with its
 *   STOPSIGNAL;
 * - docker-compose.yml: services, env names and values against the gateway's own settings, URLs against the
 *   services they name, health checks, start order, the load balancer's config;
 * - deploy/k8s: every manifest and both kustomizations (built here by a small stand-in for kustomize):
 *   kinds, selectors, probes, env and the ConfigMap/Secret keys behind it, shutdown timing, security.
 */
const root = join(import.meta.dir, "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");
const CI = process.env.CI === "true";

// ---------------------------------------------------------------------------------------------------------
// The settings the gateway reads

const settingList = Object.values(settings) as Setting<unknown>[];
const settingByEnv = new Map<string, Setting<unknown>>(settingList.map((s) => [s.env, s]));
/** OTEL_* variables read by the tracer (src/core/tracing/from-env.ts), taken from its source. */
const otelEnv = new Set(
  [...read("src/core/tracing/from-env.ts").matchAll(/env\.(OTEL_[A-Z_]+)/g)].map((m) => m[1] as string),
);
const knownEnv = new Set([...settingByEnv.keys(), configFileSetting.env, ...otelEnv]);

/** Problems with one environment variable: a name the gateway does not read, or a value it would refuse. */
function envProblems(where: string, name: string, value: string | undefined, checkValue = true): string[] {
  if (!knownEnv.has(name)) {
    return name.startsWith("GATEWAY_") || name.startsWith("OTEL_")
      ? [`${where}: ${name} is not a setting the gateway reads`]
      : [];
  }
  const setting = settingByEnv.get(name);
  if (!checkValue || !setting || value === undefined || value.includes("${")) return [];
  try {
    setting.parse(value);
    return [];
  } catch (error) {
    return [`${where}: ${name}=${JSON.stringify(value)} is refused: expected ${(error as Error).message}`];
  }
}

function refuses(setting: Setting<unknown>, value: string): boolean {
  try {
    setting.parse(value);
    return false;
  } catch {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Logical instructions (continuations joined, comments dropped), grouped by stage, FROM's ARGs resolved. */
function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue;
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    current += line;
    if (current.trim() !== "") logical.push(current.trim());
    current = "";
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, word = "", args = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const keyword = word.toUpperCase();
    if (keyword === "FROM") {
      const words = args.split(/\s+/).filter((w) => !w.startsWith("--"));
      const image = (words[0] ?? "").replace(
        /\$\{?(\w+)\}?/g,
        (_, name: string) => globalArgs.get(name) ?? "",
      );
      const as = words[1]?.toUpperCase() === "AS" ? words[2] : undefined;
      stages.push({ image, ...(as ? { name: as } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === "ARG") {
        const [name = "", value = ""] = args.split("=");
        globalArgs.set(name.trim(), value.trim());
      }
    } else {
      stages.at(-1)?.instructions.push({ keyword, args });
    }
  }
  return stages;
}

/** `["a", "b"]` (exec form) or a shell command. */
function execForm(args: string): string[] {
  return args.trim().startsWith("[") ? (JSON.parse(args) as string[]) : ["/bin/sh", "-c", args];
}

function parseEnvInstruction(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes("=")) {
    const [name = "", ...rest] = args.split(/\s+/);
    env[name] = rest.join(" ");
    return env;
  }
  for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env[m[1] as string] = m[3] ?? m[2] ?? "";
  return env;
}

function copyParts(args: string): { flags: Map<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = new Map<string, string>();
  while (words[0]?.startsWith("--")) {
    const [name = "", value = ""] = (words.shift() as string).slice(2).split("=");
    flags.set(name, value);
  }
  const dest = words.pop() ?? "";
  return { flags, sources: words, dest };
}

const stages = parseDockerfile(read("Dockerfile"));
const buildStage = stages.find((s) => s.instructions.some((i) => /\bnpm run build\b/.test(i.args)));
const finalStage = stages.at(-1) as Stage;
const all = (stage: Stage | undefined, keyword: string) =>
  (stage?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
const imageEnv = Object.assign({}, ...all(finalStage, "ENV").map(parseEnvInstruction)) as Record<
  string,
  string
>;
const [imageUid = "", imageGid = ""] = (last(finalStage, "USER") ?? "").split(":");
const packageJson = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
const buildScript = packageJson.scripts.build ?? "";
const outfile = /--outfile\s+(\S+)/.exec(buildScript)?.[1] ?? "";

/** The binary's COPY in the final stage: from the build stage to somewhere on PATH. */
const binaryCopy = all(finalStage, "COPY")
  .map(copyParts)
  .find((c) => c.flags.get("from") === buildStage?.name);

/** A port of the gateway as the image runs it: the env given, else the image's ENV, else the default. */
function effective(env: Map<string, string> | Record<string, unknown>, key: keyof typeof settings) {
  const name = settings[key].env;
  const given = env instanceof Map ? env.get(name) : (env[name] as string | undefined);
  return given ?? imageEnv[name] ?? (settings[key].default as unknown);
}

describe("Dockerfile", () => {
  test("two stages: npm ci from the lockfile, npm run build, then only the binary", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(buildStage).toBeDefined();
    expect(buildStage?.name).toBeDefined();
    expect(buildStage).not.toBe(finalStage);
    const steps = buildStage?.instructions.map((i) => `${i.keyword} ${i.args}`) ?? [];
    const lockCopy = steps.findIndex((s) => /^COPY .*package-lock\.json/.test(s));
    const ci = steps.findIndex((s) => /^RUN npm ci\b/.test(s));
    const build = steps.findIndex((s) => /^RUN npm run build\b/.test(s));
    expect(lockCopy).toBeGreaterThanOrEqual(0);
    expect(ci).toBeGreaterThan(lockCopy);
    expect(build).toBeGreaterThan(ci);
    // `npm run build` is the compile into one executable, and the final stage copies that file.
    expect(buildScript).toMatch(/\bbun build --compile\b/);
    expect(outfile).toBe("dist/gateway");
    const workdir = last(buildStage as Stage, "WORKDIR") ?? "/";
    expect(binaryCopy?.sources).toEqual([posix.join(workdir, outfile)]);
    expect(all(finalStage, "COPY")).toHaveLength(1);
    expect(binaryCopy?.dest).toMatch(/^\/usr\/(local\/)?bin\/gateway$/);
  });

  test("`npm ci` in the build stage would accept the lockfile, and it has Bun for amd64 and arm64", () => {
    const pkg = JSON.parse(read("package.json")) as Record<string, Record<string, string> | undefined>;
    const lock = JSON.parse(read("package-lock.json")) as {
      lockfileVersion: number;
      packages: Record<string, Record<string, Record<string, string> | undefined>>;
    };
    // npm ci refuses a lockfile whose root entry disagrees with package.json.
    const sorted = (deps: Record<string, string> | undefined) => Object.entries(deps ?? {}).sort();
    for (const kind of ["dependencies", "devDependencies", "optionalDependencies"]) {
      expect([kind, sorted(lock.packages[""]?.[kind])]).toEqual([kind, sorted(pkg[kind])]);
    }
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(2);
    // `bun build --compile` runs on the build platform (glibc Debian): its Bun package must be locked.
    expect(Object.keys(lock.packages)).toEqual(
      expect.arrayContaining(["node_modules/@oven/bun-linux-x64", "node_modules/@oven/bun-linux-aarch64"]),
    );
  });

  test("base images are pinned by a tag (never latest)", () => {
    for (const stage of stages) {
      expect(stage.image).toMatch(/^[\w./-]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/);
      const tag = /:([\w.-]+)(@|$)/.exec(stage.image.replace(/^[^/]+:\d+\//, ""))?.[1];
      if (!stage.image.includes("@sha256:")) expect(tag).toBeDefined();
      expect(tag).not.toBe("latest");
    }
  });

  test("non-root numeric USER, HEALTHCHECK through `gateway healthcheck`, STOPSIGNAL SIGTERM", () => {
    expect(imageUid).toMatch(/^\d+$/);
    expect(Number(imageUid)).toBeGreaterThan(0);
    expect(imageGid).toMatch(/^\d+$/);
    expect(Number(imageGid)).toBeGreaterThan(0);
    const healthcheck = last(finalStage, "HEALTHCHECK") ?? "";
    const cmd = /^(?:--\S+\s+)*CMD\s+(.+)$/.exec(healthcheck)?.[1] ?? "";
    const argv = execForm(cmd);
    // Exec form: no shell needed in the image.
    expect(cmd.trim().startsWith("[")).toBe(true);
    expect([basename(argv[0] ?? ""), argv[1]]).toEqual(["gateway", "healthcheck"]);
    expect(last(finalStage, "STOPSIGNAL")).toBe("SIGTERM");
    expect(execForm(last(finalStage, "ENTRYPOINT") ?? "")).toEqual(["gateway"]);
    expect(execForm(last(finalStage, "CMD") ?? "")).toEqual(["serve"]);
  });

  test("EXPOSE names the API port and the admin port the deployments use", () => {
    const exposed = all(finalStage, "EXPOSE").flatMap((a) =>
      a.split(/\s+/).map((p) => p.replace(/\/tcp$/, "")),
    );
    expect(exposed).toContain(String(effective({}, "port")));
    expect(exposed).toContain(String(composeGatewayEnv.get(settings.adminPort.env)));
  });

  test(".dockerignore keeps secrets, .git and local builds out of the context", () => {
    const files = contextFiles();
    expect(files).toContain("package.json");
    expect(files).toContain("package-lock.json");
    expect(files.some((f) => f.startsWith("src/"))).toBe(true);
    const leaks = files.filter((f) =>
      /(^|\/)(\.git|node_modules|dist|test-output)\/|(^|\/)(secrets\.env|\.env[^/]*)$/.test(f),
    );
    expect(leaks).toEqual([]);
  });
});

/** .dockerignore semantics: the last matching pattern wins; a pattern that matches a directory covers it. */
function contextFiles(): string[] {
  const rules = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => {
      const negate = l.startsWith("!");
      const pattern = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, "");
      return { negate, glob: new Bun.Glob(pattern), pattern };
    });
  const excluded = (path: string) => {
    const parts = path.split("/");
    let out = false;
    for (const rule of rules) {
      for (let i = 1; i <= parts.length; i++) {
        if (rule.glob.match(parts.slice(0, i).join("/"))) {
          out = !rule.negate;
          break;
        }
      }
    }
    return out;
  };
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const reopened = rules.some((r) => r.negate && r.pattern.startsWith(`${path}/`));
        if (!excluded(path) || reopened) walk(path);
      } else if (entry.isFile() && !excluded(path)) {
        files.push(path);
      }
    }
  };
  walk("");
  return files;
}

// ---------------------------------------------------------------------------------------------------------
// The image's build and run, replayed by hand

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
if (typeof runner === "string") console.warn(`deploy.test.ts: skipping the non-root run: ${runner}`);

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
    "runs as the image's user from a directory it cannot write; healthcheck says 0, then 1; SIGTERM exits 0",
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

// ---------------------------------------------------------------------------------------------------------
// docker-compose.yml

type EnvValue = string | number | boolean | null;
interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, EnvValue> | string[];
  env_file?: string | (string | { path: string })[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  ports?: (string | number | { published?: string | number; target?: number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  stop_grace_period?: string;
  volumes?: (string | { source?: string; target?: string })[];
}
interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, { ipam?: { config?: { subnet?: string }[] }; internal?: boolean } | null>;
}

const compose = Bun.YAML.parse(read("docker-compose.yml")) as Compose;
const services = Object.entries(compose.services ?? {});
const argv = (s: ComposeService) =>
  typeof s.command === "string" ? s.command.split(/\s+/) : (s.command ?? []);
const ours = (s: ComposeService) => {
  const ctx = typeof s.build === "string" ? s.build : s.build?.context;
  return ctx === "." || ctx === "./";
};
const flag = (args: string[], name: string) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args[at + 1];
};
const gateways = services.filter(([, s]) => ours(s) && (argv(s)[0] ?? "serve") === "serve");
const reference = (kind: string) =>
  services.find(([, s]) => ours(s) && argv(s)[0] === "reference" && argv(s)[1] === kind);
const envOf = (s: ComposeService): Map<string, string> => {
  const env = new Map<string, string>();
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const at = entry.indexOf("=");
      env.set(at < 0 ? entry : entry.slice(0, at), at < 0 ? "" : entry.slice(at + 1));
    }
  } else {
    for (const [k, v] of Object.entries(s.environment ?? {})) env.set(k, v === null ? "" : String(v));
  }
  return env;
};
const envFiles = (s: ComposeService) =>
  (typeof s.env_file === "string" ? [s.env_file] : (s.env_file ?? [])).map((f) =>
    typeof f === "string" ? f : f.path,
  );
/** An env file as given, or its committed `.example` when the real one is local (git-ignored). */
function readEnvFile(path: string): Map<string, string> {
  const file = existsSync(join(root, path)) ? path : `${path}.example`;
  const env = new Map<string, string>();
  for (const line of read(file).split("\n")) {
    const m = /^\s*([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (m) env.set(m[1] as string, m[2] as string);
  }
  return env;
}
const networksOf = (s: ComposeService) =>
  Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? { default: null });
const durationMs = (text: string | undefined) => {
  let ms = 0;
  for (const m of (text ?? "").matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
  }
  return ms;
};
const composeGatewayEnv = gateways[0] ? envOf(gateways[0][1]) : new Map<string, string>();
const lb = services.find(([, s]) =>
  /^(haproxy|nginx|traefik|envoyproxy\/envoy|caddy)[:@]/.test(s.image ?? ""),
);

describe("docker-compose.yml", () => {
  test("two gateways, a load balancer, Redis, and the reference Users and Aggregator from the same image", () => {
    expect(gateways.map(([name]) => name)).toHaveLength(2);
    expect(lb).toBeDefined();
    expect(services.some(([, s]) => /^redis[:@]/.test(s.image ?? ""))).toBe(true);
    for (const kind of ["users", "aggregator"]) {
      const found = reference(kind);
      expect(found).toBeDefined();
      const args = argv(found?.[1] ?? {});
      // Listening on every interface of the container, not the reference default of loopback.
      expect(flag(args, "--host")).toBe("0.0.0.0");
      expect(flag(args, "--port")).toMatch(/^\d+$/);
    }
    const images = new Set(services.filter(([, s]) => ours(s)).map(([, s]) => s.image));
    expect(images.size).toBe(1);
  });

  test("every GATEWAY_* name is a setting, and every value one the gateway accepts", () => {
    const problems: string[] = [];
    for (const [name, service] of services.filter(([, s]) => ours(s))) {
      for (const [key, value] of envOf(service)) problems.push(...envProblems(name, key, value));
      for (const file of envFiles(service)) {
        for (const [key] of readEnvFile(file))
          problems.push(...envProblems(`${name} (${file})`, key, undefined));
      }
    }
    expect(problems).toEqual([]);
  });

  test("secrets come from a git-ignored env file, whose committed example the gateway refuses as is", () => {
    for (const [name, service] of gateways) {
      expect(envOf(service).has(settings.jwtSecret.env)).toBe(false);
      const files = envFiles(service);
      expect(files.length).toBeGreaterThan(0);
      const env = new Map(files.flatMap((f) => [...readEnvFile(f)]));
      expect([name, env.has(settings.jwtSecret.env)]).toEqual([name, true]);
      for (const file of files) {
        const example = new Map(
          read(`${file}.example`)
            .split("\n")
            .map((l) => /^([A-Za-z_]\w*)=(.*)$/.exec(l))
            .filter((m) => m !== null)
            .map((m) => [m[1] as string, m[2] as string]),
        );
        const placeholder = example.get(settings.jwtSecret.env);
        if (placeholder !== undefined) expect(refuses(settings.jwtSecret, placeholder)).toBe(true);
        const ignore = read(join(dirname(file), ".gitignore")).split("\n");
        expect(ignore).toContain(basename(file));
      }
    }
  });

  test("backend URLs name services that exist, on their ports and a network the gateway shares", () => {
    const problems: string[] = [];
    const byName = new Map(services);
    for (const [name, service] of gateways) {
      const env = envOf(service);
      const targets: [string, string | undefined][] = [
        [settings.usersUrl.env, reference("users")?.[0]],
        [settings.aggregatorUrl.env, reference("aggregator")?.[0]],
        [settings.redisUrl.env, services.find(([, s]) => /^redis[:@]/.test(s.image ?? ""))?.[0]],
      ];
      for (const [key, expected] of targets) {
        const raw = env.get(key);
        if (!raw) {
          problems.push(`${name}: ${key} is not set`);
          continue;
        }
        const url = new URL(raw);
        const target = byName.get(url.hostname);
        if (!target || url.hostname !== expected) {
          problems.push(`${name}: ${key}=${raw} does not name the ${expected} service`);
          continue;
        }
        const port = url.protocol.startsWith("redis")
          ? (flag(argv(target), "--port") ?? "6379")
          : flag(argv(target), "--port");
        if ((url.port || (url.protocol === "https:" ? "443" : "80")) !== port)
          problems.push(`${name}: ${key}=${raw} but ${url.hostname} listens on ${port}`);
        if (!networksOf(service).some((n) => networksOf(target).includes(n)))
          problems.push(`${name}: no network shared with ${url.hostname}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("health checks everywhere; gateways wait for healthy backends, the LB for healthy gateways", () => {
    const problems: string[] = [];
    const condition = (s: ComposeService, on: string) =>
      Array.isArray(s.depends_on) ? "service_started" : s.depends_on?.[on]?.condition;
    for (const [name, service] of services) {
      if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`${name}: no healthcheck`);
    }
    for (const [name, service] of gateways) {
      for (const on of ["users", "aggregator", "redis"]) {
        const target = on === "redis" ? services.find(([, s]) => /^redis[:@]/.test(s.image ?? ""))?.[0] : on;
        if (condition(service, target ?? on) !== "service_healthy")
          problems.push(`${name}: does not wait for ${on} to be healthy`);
      }
    }
    for (const [name] of gateways) {
      if (condition(lb?.[1] ?? {}, name) !== "service_healthy")
        problems.push(`lb: does not wait for ${name} to be healthy`);
    }
    // A reference backend is not on GATEWAY_PORT: its health check must name its own port.
    for (const kind of ["users", "aggregator"]) {
      const [name, service] = reference(kind) ?? ["", {}];
      const test = service.healthcheck?.test;
      const args = Array.isArray(test) ? test.slice(1) : [];
      const url = flag(args, "--url") ?? "";
      if (basename(args[0] ?? "") !== "gateway" || args[1] !== "healthcheck")
        problems.push(`${name}: healthcheck is not \`gateway healthcheck\``);
      else if (new URL(url || "http://x").port !== flag(argv(service), "--port"))
        problems.push(`${name}: healthcheck --url ${url} is not its --port`);
    }
    expect(problems).toEqual([]);
  });

  test("docker's stop grace period outlasts the gateway's drain", () => {
    for (const [name, service] of gateways) {
      const env = envOf(service);
      const drain = Number(effective(env, "drainDelayMs")) + Number(effective(env, "drainTimeoutMs"));
      // docker's default is 10 s
      const grace = service.stop_grace_period ? durationMs(service.stop_grace_period) : 10_000;
      expect([name, grace > drain]).toEqual([name, true]);
    }
  });

  test("only the LB is published, and the gateways trust X-Forwarded-For from its address alone", () => {
    for (const [name, service] of services) {
      if (name !== lb?.[0]) expect([name, service.ports ?? []]).toEqual([name, []]);
    }
    expect((lb?.[1].ports ?? []).length).toBeGreaterThan(0);
    const lbNetworks = (lb?.[1].networks ?? {}) as Record<string, { ipv4_address?: string } | null>;
    for (const [name, service] of gateways) {
      const shared = networksOf(service).filter((n) => n in lbNetworks);
      expect(shared.length).toBeGreaterThan(0);
      const addresses = shared.map((n) => lbNetworks[n]?.ipv4_address).filter((a) => a !== undefined);
      expect(addresses.length).toBeGreaterThan(0);
      const trusted = new TrustedProxies((envOf(service).get(settings.trustProxy.env) ?? "").split(","));
      for (const address of addresses) {
        expect([name, address, trusted.has(address)]).toEqual([name, address, true]);
        // ...and nothing else on that network: not the other gateways, not the bridge's gateway.
        const subnet = compose.networks?.[shared[0] as string]?.ipam?.config?.[0]?.subnet ?? "";
        const base = subnet.split("/")[0]?.split(".").slice(0, 3).join(".");
        expect(trusted.has(`${base}.1`)).toBe(false);
      }
    }
  });

  test("the LB config names both gateways on their port, and takes a draining gateway out in time", () => {
    const volume = (lb?.[1].volumes ?? [])
      .map((v) => (typeof v === "string" ? v.split(":")[0] : v.source))
      .find((source) => source !== undefined && /\.(cfg|conf)$/.test(source));
    expect(volume).toBeDefined();
    const config = read(volume as string);
    const servers = [...config.matchAll(/^\s*server\s+(?:\S+\s+)?([\w.-]+):(\d+)/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    const expected = gateways.map(([name, s]) => [name, String(effective(envOf(s), "port"))]);
    expect(servers.sort()).toEqual(expected.sort());
    if (/^haproxy/.test(lb?.[1].image ?? "")) {
      expect(config).toMatch(/option httpchk\s+GET\s+\/readyz/);
      expect(config).toMatch(/option forwardfor/);
      const checkLine = /^\s*default-server\s+.*$/m.exec(config)?.[0] ?? "";
      const inter = durationMs(/\binter\s+(\S+)/.exec(checkLine)?.[1]?.replace(/^(\d+)$/, "$1ms"));
      const fall = Number(/\bfall\s+(\d+)/.exec(checkLine)?.[1] ?? "3");
      expect(inter).toBeGreaterThan(0);
      for (const [name, s] of gateways) {
        const delay = Number(effective(envOf(s), "drainDelayMs"));
        expect([name, delay >= (fall + 1) * inter]).toEqual([name, true]);
      }
      const haproxy = Bun.which("haproxy");
      if (haproxy) {
        const check = Bun.spawnSync([haproxy, "-c", "-f", join(root, volume as string)], { stderr: "pipe" });
        expect(check.stderr.toString().match(/\[ALERT\].*/g) ?? []).toEqual([]);
        expect(check.exitCode).toBe(0);
      } else {
        console.warn("deploy.test.ts: no haproxy here (Debian package haproxy): its config check is skipped");
      }
    }
  });

  test("`docker compose config -q` accepts the file, where a compose v2 client exists", () => {
    const docker = Bun.which("docker");
    const hasCompose = docker && Bun.spawnSync([docker, "compose", "version"]).exitCode === 0;
    if (!docker || !hasCompose) {
      console.warn("deploy.test.ts: no `docker compose` (v2) client here: `config -q` is skipped");
      return;
    }
    // A copy, with a throwaway secrets file where the real one is absent.
    const dir = join(work, "compose");
    for (const path of ["docker-compose.yml", "Dockerfile", ".dockerignore", "deploy/compose"])
      cpSync(join(root, path), join(dir, path), { recursive: true });
    for (const [, service] of gateways) {
      for (const file of envFiles(service)) {
        if (!existsSync(join(dir, file)))
          cpSync(join(root, `${file}.example`), join(dir, file), { recursive: true });
      }
    }
    const run = Bun.spawnSync([docker, "compose", "-f", join(dir, "docker-compose.yml"), "config", "-q"], {
      cwd: dir,
      stderr: "pipe",
    });
    expect(run.stderr.toString()).toBe("");
    expect(run.exitCode).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Kubernetes

type Labels = Record<string, string>;
interface Probe {
  httpGet?: { path?: string; port?: number | string };
  exec?: { command?: string[] };
  tcpSocket?: { port?: number | string };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
}
interface KeyRef {
  name: string;
  key: string;
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number }; exec?: { command?: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}
interface PodSpec {
  containers: Container[];
  securityContext?: SecurityContext;
  terminationGracePeriodSeconds?: number;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
}
interface K8sDoc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Labels };
  // ConfigMap, Secret
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    // Deployment
    replicas?: number;
    // a Service's is the labels themselves; the others' have matchLabels
    selector?: { matchLabels?: Labels; [label: string]: unknown };
    template?: { metadata?: { labels?: Labels }; spec: PodSpec };
    // Service
    ports?: { name?: string; port: number; targetPort?: number | string }[];
    // HPA
    scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    // PDB
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
}
interface Kustomization {
  resources?: string[];
  patches?: { path: string }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

const k8sDir = join(root, "deploy", "k8s");
const apiVersions: Record<string, string> = {
  Deployment: "apps/v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
  HorizontalPodAutoscaler: "autoscaling/v2",
  PodDisruptionBudget: "policy/v1",
  Kustomization: "kustomize.config.k8s.io/v1beta1",
};

function loadYaml(path: string): K8sDoc[] {
  const parsed = Bun.YAML.parse(readFileSync(path, "utf8")) as K8sDoc | K8sDoc[] | null;
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((d): d is K8sDoc => d !== null);
}
const yamlFiles = readdirSync(k8sDir, { recursive: true, encoding: "utf8" })
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => join(k8sDir, f));
const kustomizations = yamlFiles.filter((f) => basename(f) === "kustomization.yaml").map(dirname);

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object")
      merge(current as Record<string, unknown>, value as Record<string, unknown>);
    else target[key] = value;
  }
}

/** What `kustomize build dir` makes of our kustomizations: resources, strategic-merge patches, images. */
function kustomize(dir: string): K8sDoc[] {
  const k = loadYaml(join(dir, "kustomization.yaml"))[0] as Kustomization;
  const docs: K8sDoc[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    docs.push(...(statSync(path).isDirectory() ? kustomize(path) : structuredClone(loadYaml(path))));
  }
  for (const { path } of k.patches ?? []) {
    for (const patch of loadYaml(join(dir, path))) {
      const target = docs.find((d) => d.kind === patch.kind && d.metadata?.name === patch.metadata?.name);
      if (!target) throw new Error(`${relative(root, join(dir, path))}: patches nothing`);
      merge(target as Record<string, unknown>, patch as Record<string, unknown>);
    }
  }
  for (const image of k.images ?? []) {
    for (const doc of docs) {
      for (const c of doc.spec?.template?.spec.containers ?? []) {
        const [name, tag] = (c.image ?? "").split(":");
        if (name === image.name) c.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
      }
    }
  }
  return docs;
}

const selects = (selector: Labels | undefined, labels: Labels | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const podLabels = (d: K8sDoc) => d.spec?.template?.metadata?.labels;
const selectorOf = (d: K8sDoc | undefined) =>
  d?.kind === "Service" ? (d.spec?.selector as Labels | undefined) : d?.spec?.selector?.matchLabels;
const isGateway = (c: Container) => (c.args ?? c.command?.slice(1) ?? ["serve"])[0] === "serve";

/** The container's environment as Kubernetes would give it, and every reference that points nowhere. */
function containerEnv(c: Container, docs: K8sDoc[]) {
  const env = new Map<string, string>();
  const problems: string[] = [];
  const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
  const values = (d: K8sDoc | undefined) => ({
    ...Object.fromEntries(
      Object.entries(d?.data ?? {}).map(([k, v]) => [k, d?.kind === "Secret" ? atob(v) : v]),
    ),
    ...d?.stringData,
  });
  for (const from of c.envFrom ?? []) {
    const [kind, name] = from.configMapRef
      ? ["ConfigMap", from.configMapRef.name]
      : ["Secret", from.secretRef?.name ?? ""];
    const doc = find(kind, name);
    if (!doc) problems.push(`${c.name}: envFrom ${kind} ${name} does not exist`);
    for (const [k, v] of Object.entries(values(doc))) env.set(k, v);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.configMapKeyRef ?? e.valueFrom?.secretKeyRef;
    if (!ref) {
      env.set(e.name, e.value ?? "");
      continue;
    }
    const kind = e.valueFrom?.configMapKeyRef ? "ConfigMap" : "Secret";
    const doc = find(kind, ref.name);
    const value = values(doc)[ref.key];
    if (value === undefined)
      problems.push(`${c.name}: ${e.name} needs key ${ref.key} of ${kind} ${ref.name}`);
    else env.set(e.name, value);
  }
  return { env, problems };
}

function portOf(c: Container, port: number | string | undefined): number | undefined {
  return typeof port === "number" ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

describe("deploy/k8s", () => {
  test("every file parses; every document has a known kind, its apiVersion and a name", () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const file of yamlFiles) {
      for (const doc of loadYaml(file)) {
        const where = `${relative(root, file)}: ${doc.kind} ${doc.metadata?.name ?? ""}`;
        const expected = apiVersions[doc.kind ?? ""];
        if (!expected) problems.push(`${where}: unexpected kind`);
        else if (doc.apiVersion !== expected)
          problems.push(`${where}: apiVersion ${doc.apiVersion}, not ${expected}`);
        if (doc.kind !== "Kustomization" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(doc.metadata?.name ?? ""))
          problems.push(`${where}: no valid metadata.name`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("each kustomization lists every manifest beside it, and the resources and patches exist", () => {
    expect(kustomizations.map((d) => relative(k8sDir, d)).sort()).toEqual(["base", "demo"]);
    for (const dir of kustomizations) {
      const k = loadYaml(join(dir, "kustomization.yaml"))[0] as Kustomization;
      const named = [...(k.resources ?? []), ...(k.patches ?? []).map((p) => p.path)];
      for (const entry of named) expect([entry, existsSync(join(dir, entry))]).toEqual([entry, true]);
      const beside = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml");
      expect(beside.filter((f) => !named.includes(f))).toEqual([]);
    }
  });

  for (const overlay of ["base", "demo"]) {
    describe(`kustomize build deploy/k8s/${overlay}`, () => {
      const docs = kustomize(join(k8sDir, overlay));
      const deployments = docs.filter((d) => d.kind === "Deployment");
      const gateway = deployments.find((d) => d.spec?.template?.spec.containers.some(isGateway));
      const pod = gateway?.spec?.template?.spec;
      const container = pod?.containers.find(isGateway);
      const { env, problems: refProblems } = container
        ? containerEnv(container, docs)
        : { env: new Map<string, string>(), problems: ["no gateway container"] };

      test("one gateway Deployment; its Service, HPA and PDB select its pods and only them", () => {
        expect(deployments.filter((d) => d.spec?.template?.spec.containers.some(isGateway))).toHaveLength(1);
        expect(selects(gateway?.spec?.selector?.matchLabels, podLabels(gateway ?? {}))).toBe(true);
        const others = deployments.filter((d) => d !== gateway);
        for (const kind of ["Service", "PodDisruptionBudget"]) {
          const doc = docs.find((d) => d.kind === kind && selects(selectorOf(d), podLabels(gateway ?? {})));
          expect([kind, doc !== undefined]).toEqual([kind, true]);
          const selector = selectorOf(doc);
          expect(others.filter((d) => selects(selector, podLabels(d))).map((d) => d.metadata?.name)).toEqual(
            [],
          );
        }
        // Every Deployment's own selector matches its pods, and no other Deployment's.
        for (const d of deployments) {
          expect(selects(d.spec?.selector?.matchLabels, podLabels(d))).toBe(true);
          const overlap = deployments.filter(
            (o) => o !== d && selects(d.spec?.selector?.matchLabels, podLabels(o)),
          );
          expect(overlap).toEqual([]);
        }
        const hpa = docs.find((d) => d.kind === "HorizontalPodAutoscaler");
        expect(hpa?.spec?.scaleTargetRef).toEqual({
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: gateway?.metadata?.name as string,
        });
        expect(hpa?.spec?.minReplicas ?? 1).toBeGreaterThanOrEqual(2);
        expect(hpa?.spec?.maxReplicas ?? 0).toBeGreaterThanOrEqual(hpa?.spec?.minReplicas ?? 1);
        // The HPA owns the count; a CPU target needs a CPU request.
        expect(gateway?.spec?.replicas).toBeUndefined();
        expect(container?.resources?.requests?.cpu).toBeDefined();
        // The Service reaches the API port by name.
        const service = docs.find(
          (d) => d.kind === "Service" && selects(selectorOf(d), podLabels(gateway ?? {})),
        );
        const api = service?.spec?.ports?.find(
          (p) => portOf(container as Container, p.targetPort) === Number(effective(env, "port")),
        );
        expect(api).toBeDefined();
      });

      test("env names are settings, values are accepted, ConfigMap/Secret references resolve", () => {
        const problems = [...refProblems];
        for (const [name, value] of env) {
          // The base Secret holds placeholders on purpose (checked below).
          const placeholder = overlay === "base" && value.includes("REPLACE_ME");
          problems.push(...envProblems(`${overlay}/${container?.name}`, name, value, !placeholder));
        }
        for (const name of [settings.jwtSecret.env, settings.usersUrl.env, settings.aggregatorUrl.env])
          if (!env.has(name)) problems.push(`${name} is not set`);
        // Secrets never in a ConfigMap.
        for (const cm of docs.filter((d) => d.kind === "ConfigMap"))
          for (const key of Object.keys(cm.data ?? {}))
            if (settingByEnv.get(key)?.sensitive)
              problems.push(`ConfigMap ${cm.metadata?.name}: ${key} is secret`);
        expect(problems).toEqual([]);
        expect(pod?.enableServiceLinks).toBe(false);
      });

      test("probes: readiness /readyz and liveness /healthz on the container's GATEWAY_PORT", () => {
        const port = Number(effective(env, "port"));
        const c = container as Container;
        expect(c.readinessProbe?.httpGet?.path).toBe("/readyz");
        expect(portOf(c, c.readinessProbe?.httpGet?.port)).toBe(port);
        expect(c.livenessProbe?.httpGet?.path).toBe("/healthz");
        expect(portOf(c, c.livenessProbe?.httpGet?.port)).toBe(port);
        if (c.startupProbe) expect(c.startupProbe.httpGet?.path).toBe("/healthz");
        const admin = env.get(settings.adminPort.env);
        if (admin !== undefined) expect(c.ports?.map((p) => p.containerPort)).toContain(Number(admin));
      });

      test("terminationGracePeriodSeconds covers the preStop, the drain delay and the drain timeout", () => {
        const c = container as Container;
        const preStop = c.lifecycle?.preStop;
        const execSleep = preStop?.exec?.command;
        const preStopMs = preStop?.sleep
          ? preStop.sleep.seconds * 1000
          : execSleep && basename(execSleep[0] ?? "") === "sleep"
            ? Number(execSleep[1]) * 1000
            : 0;
        const drainDelay = Number(effective(env, "drainDelayMs"));
        const drainTimeout = Number(effective(env, "drainTimeoutMs"));
        // Something keeps serving while endpoints are removed: a preStop, or the drain delay.
        expect(preStopMs + drainDelay).toBeGreaterThan(0);
        if (execSleep) expect(basename(execSleep[0] ?? "")).toBe("sleep");
        const grace = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
        expect(grace).toBeGreaterThan(preStopMs + drainDelay + drainTimeout);
      });

      test("every container: non-root as the image's user, read-only root, no capabilities, resources", () => {
        const problems: string[] = [];
        for (const d of deployments) {
          const spec = d.spec?.template?.spec as PodSpec;
          for (const c of spec.containers) {
            const where = `${d.metadata?.name}/${c.name}`;
            const sc = { ...spec.securityContext, ...c.securityContext };
            if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
            if (!sc.runAsUser) problems.push(`${where}: no non-zero runAsUser`);
            const usesOurImage = (c.image ?? "").split(":")[0]?.endsWith("search-gateway");
            if (usesOurImage && String(sc.runAsUser) !== imageUid)
              problems.push(`${where}: runAsUser ${sc.runAsUser} is not the image's USER ${imageUid}`);
            if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
            if (sc.allowPrivilegeEscalation !== false)
              problems.push(`${where}: privilege escalation allowed`);
            if (sc.privileged) problems.push(`${where}: privileged`);
            if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`${where}: capabilities not dropped`);
            if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where}: capabilities added`);
            for (const kind of ["requests", "limits"] as const)
              for (const r of ["cpu", "memory"])
                if (!c.resources?.[kind]?.[r]) problems.push(`${where}: no ${r} ${kind}`);
            const tag = /:([\w.-]+)$/.exec(c.image ?? "")?.[1];
            if (!tag || tag === "latest") problems.push(`${where}: image ${c.image} has no fixed tag`);
          }
          if (spec.automountServiceAccountToken !== false)
            problems.push(`${d.metadata?.name}: mounts a service account token`);
        }
        expect(problems).toEqual([]);
      });

      if (overlay === "base") {
        test("the Secret holds placeholders only, and the JWT one is refused so pods cannot start with it", () => {
          const secret = docs.find((d) => d.kind === "Secret");
          const values = Object.entries(secret?.stringData ?? {});
          expect(values.length).toBeGreaterThan(0);
          for (const [key, value] of values)
            expect([key, value]).toEqual([key, expect.stringContaining("REPLACE_ME")]);
          expect(Object.keys(secret?.stringData ?? {})).toEqual(
            expect.arrayContaining([settings.jwtSecret.env, settings.metricsToken.env]),
          );
          expect(refuses(settings.jwtSecret, secret?.stringData?.[settings.jwtSecret.env] ?? "")).toBe(true);
        });
      } else {
        test("the backend URLs reach Services of this build, on ports their pods listen on", () => {
          const problems: string[] = [];
          for (const key of [settings.usersUrl.env, settings.aggregatorUrl.env, settings.redisUrl.env]) {
            const url = new URL(env.get(key) ?? "http://unset");
            const name = url.hostname.split(".")[0];
            const service = docs.find((d) => d.kind === "Service" && d.metadata?.name === name);
            const port = service?.spec?.ports?.find((p) => String(p.port) === url.port);
            if (!port) {
              problems.push(`${key}=${url}: no Service ${name} with port ${url.port}`);
              continue;
            }
            const backend = deployments.find((d) => selects(selectorOf(service), podLabels(d)));
            const c = backend?.spec?.template?.spec.containers[0];
            const target = c ? portOf(c, port.targetPort ?? port.port) : undefined;
            if (target === undefined) problems.push(`${key}: Service ${name} targets no container port`);
            // A reference backend listens where its --port says, on every interface.
            if (c?.args?.[0] === "reference") {
              if (flag(c.args, "--port") !== String(target))
                problems.push(`${name}: --port is not ${target}`);
              if (flag(c.args, "--host") !== "0.0.0.0") problems.push(`${name}: --host is not 0.0.0.0`);
              for (const probe of [c.readinessProbe, c.livenessProbe])
                if (portOf(c, probe?.httpGet?.port) !== target)
                  problems.push(`${name}: a probe misses its port`);
            }
          }
          expect(problems).toEqual([]);
        });
      }
    });
  }
});

/** The environment Kubernetes gives the gateway container of a kustomization. */
function gatewayEnv(overlay: string): Map<string, string> {
  const docs = kustomize(join(k8sDir, overlay));
  for (const doc of docs.filter((d) => d.kind === "Deployment")) {
    const c = doc.spec?.template?.spec.containers.find(isGateway);
    if (c) return containerEnv(c, docs).env;
  }
  throw new Error(`no gateway container in deploy/k8s/${overlay}`);
}
