import { describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { settings } from "../../src/core/config/settings.ts";
import { TrustedProxies } from "../../src/core/security/client-ip.ts";
import {
  argv,
  type ComposeService,
  compose,
  envFiles,
  envOf,
  gateways,
  lb,
  lbConfig,
  networksOf,
  ours,
  readEnvFile,
  reference,
  services,
} from "./helpers/compose.ts";
import { effective } from "./helpers/dockerfile.ts";
import { durationMs, envProblems, flag, read, refuses, root } from "./helpers/env.ts";
import { dockerCompose, haproxy, titled, unavailable, use } from "./helpers/tools.ts";

/**
 * docker-compose.yml without a Docker engine: services, env names and values against the gateway's own
 * settings, URLs against the services they name, health checks, start order, the load balancer's config;
 * then `haproxy -c` and `docker compose config` where those tools are installed.
 */
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
    expect(lbConfig).toBeDefined();
    const config = read(lbConfig as string);
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
    }
  });

  test.skipIf(unavailable(haproxy))(titled("`haproxy -c` accepts the LB config", haproxy), () => {
    expect(lb?.[1].image).toMatch(/^haproxy[:@]/);
    const check = Bun.spawnSync([...use(haproxy), "-c", "-f", join(root, lbConfig as string)], {
      stderr: "pipe",
    });
    expect(check.stderr.toString().match(/\[ALERT\].*/g) ?? []).toEqual([]);
    expect(check.exitCode).toBe(0);
  });

  test.skipIf(unavailable(dockerCompose))(
    titled("`docker compose config -q` accepts the file", dockerCompose),
    () => {
      // A copy, with a throwaway secrets file where the real one is absent.
      const dir = mkdtempSync(join(tmpdir(), "gateway-compose-"));
      try {
        for (const path of ["docker-compose.yml", "Dockerfile", ".dockerignore", "deploy/compose"])
          cpSync(join(root, path), join(dir, path), { recursive: true });
        for (const [, service] of gateways) {
          for (const file of envFiles(service)) {
            if (!existsSync(join(dir, file)))
              cpSync(join(root, `${file}.example`), join(dir, file), { recursive: true });
          }
        }
        const run = Bun.spawnSync(
          [...use(dockerCompose), "-f", join(dir, "docker-compose.yml"), "config", "-q"],
          { cwd: dir, stderr: "pipe" },
        );
        expect(run.stderr.toString()).toBe("");
        expect(run.exitCode).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
