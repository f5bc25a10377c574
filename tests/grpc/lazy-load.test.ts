import { describe, expect, test } from "bun:test";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

// A fresh process: this one has grpc-js loaded already (other test files, the fake gRPC Aggregator).
// Bun's require.cache lists every module loaded, ES modules included.
const script = (modules: string[], build: string) => `
const loaded = () => Object.keys(require.cache);
${modules.map((m) => `await import(${JSON.stringify(m)});`).join("\n")}
${build}
console.log(JSON.stringify({
  grpc: loaded().filter((path) => path.includes("/@grpc/")),
  imported: ${JSON.stringify(modules)}.filter((m) => loaded().some((path) => path.endsWith(m.slice(1)))),
}));`;

async function modulesLoadedBy(
  modules: string[],
  build = "",
): Promise<{ grpc: string[]; imported: string[] }> {
  const child = Bun.spawn([process.execPath, "-e", script(modules, build)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: "test" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`the child process failed (${code}): ${err}`);
  return JSON.parse(out.trim().split("\n").at(-1) as string);
}

describe("gRPC is loaded only when used", () => {
  test("the Users client and the HTTP Aggregator client load no @grpc module", async () => {
    const modules = ["./src/services/users-client.ts", "./src/services/aggregator/http.ts"];
    const loaded = await modulesLoadedBy(modules);
    // The check must have seen the modules, or an empty cache would pass.
    expect(loaded.imported).toEqual(modules);
    expect(loaded.grpc).toEqual([]);
  });

  test("the whole app with an HTTP Aggregator, answering a request, loads no @grpc module", async () => {
    const modules = ["./src/app.ts", "./src/services/container.ts", "./src/core/logger.ts"];
    const loaded = await modulesLoadedBy(
      modules,
      `const { createServices } = await import("./src/services/container.ts");
const { createApp } = await import("./src/app.ts");
const { loadConfig } = await import("./src/core/config/load.ts");
const { silentLogger } = await import("./src/core/logger.ts");
const config = loadConfig({
  flags: { jwtSecret: "x".repeat(32), usersUrl: "http://127.0.0.1:9", aggregatorUrl: "http://127.0.0.1:9" },
  env: {},
});
const services = createServices(config, silentLogger);
const app = createApp({ services, logger: silentLogger });
const answer = await app.handle(new Request("http://localhost/search?query=x"));
if (answer.status !== 401) throw new Error("unexpected status " + answer.status);
services.close();`,
    );
    expect(loaded.imported).toEqual(modules);
    expect(loaded.grpc).toEqual([]);
  });

  test("a grpc:// Aggregator still loads grpc-js, on first use", async () => {
    const loaded = await modulesLoadedBy(
      ["./src/services/aggregator/index.ts"],
      `const { createAggregatorClient } = await import("./src/services/aggregator/index.ts");
const client = createAggregatorClient({ baseUrl: "grpc://127.0.0.1:9", timeoutMs: 100 });
if (Object.keys(require.cache).some((path) => path.includes("/@grpc/"))) throw new Error("loaded too early");
await client.health({ requestId: "lazy" }).catch(() => {});
client.close();`,
    );
    expect(loaded.grpc.length).toBeGreaterThan(0);
  });
});
