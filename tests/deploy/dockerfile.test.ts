import { describe, expect, test } from "bun:test";
import { basename, posix } from "node:path";
import { settings } from "../../src/core/config/settings.ts";
import { composeGatewayEnv } from "./helpers/compose.ts";
import {
  all,
  binaryCopy,
  buildScript,
  buildStage,
  contextFiles,
  effective,
  execForm,
  finalStage,
  imageGid,
  imageUid,
  last,
  outfile,
  type Stage,
  stages,
} from "./helpers/dockerfile.ts";
import { read } from "./helpers/env.ts";

/**
 * The Dockerfile and .dockerignore as written, without a Docker engine: the stages, the lockfile `npm ci`
 * installs from, pinned bases, the final stage's user, health check, signals and ports. The build itself is
 * replayed in image.test.ts.
 */
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
