import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = join(import.meta.dir, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

// Static imports and re-exports (`import type` too: a type-only cycle is still a cycle in the design),
// side-effect imports and dynamic `import("...")`, of relative paths only; packages cannot close a cycle.
const SPECIFIERS = [
  /^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm,
  /^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm,
  /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
];

function resolved(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every .ts file under `dirs`, relative to the root, with the files of that set it imports. */
export function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap((dir) => sources(join(root, dir)))) {
    const text = readFileSync(file, "utf8");
    const targets = new Set<string>();
    for (const pattern of SPECIFIERS) {
      for (const match of text.matchAll(pattern)) {
        const target = resolved(file, match[1] as string);
        if (target) targets.add(relative(root, target));
      }
    }
    graph.set(relative(root, file), [...targets]);
  }
  for (const [file, targets] of graph) graph.set(file, targets.filter((t) => graph.has(t)).sort());
  return graph;
}

/** Tarjan's strongly connected components; each one with more than one file (or a self-import) is a cycle. */
function cyclicComponents(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, indexOf.get(next) as number));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indexOf.has(node)) visit(node);
  return components;
}

/** One concrete loop through a component's first file, shortest first, for the failure message. */
function loopThrough(graph: Map<string, string[]>, component: string[]): string {
  const start = component[0] as string;
  const inside = new Set(component);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!inside.has(next)) continue;
      if (next === start) {
        const chain: string[] = [];
        for (let at = node; at !== start; at = previous.get(at) as string) chain.unshift(at);
        return [start, ...chain, start].join(" -> ");
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return component.join(", ");
}

describe("layout", () => {
  test("the gateway (src/ outside src/reference) never imports the reference backends", () => {
    const offenders = sources(join(root, "src"))
      .filter((file) => !file.includes(`${join("src", "reference")}`))
      .filter((file) => /from\s+["'][^"']*reference\//.test(readFileSync(file, "utf8")))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  test("the reference backends do not reach into the gateway's internals (only the shared models)", () => {
    const offenders = sources(join(root, "src", "reference"))
      .filter((file) => /from\s+["']\.\.\/+(\.\.\/)*(core|api|services)\//.test(readFileSync(file, "utf8")))
      .map((file) => relative(root, file));
    expect(offenders).toEqual([]);
  });

  test("the import graph of src/ and cli/ has no cycle", () => {
    const graph = importGraph(["src", "cli"]);
    // The parser must see the graph, or an empty one would pass: the CLI's entry point reaches the app.
    expect(graph.get(join("cli", "main.ts"))?.length).toBeGreaterThan(0);
    const cycles = cyclicComponents(graph).map(
      (component) => `${loopThrough(graph, component)}\n    (all of: ${component.join(", ")})`,
    );
    if (cycles.length > 0) throw new Error(`import cycles:\n  ${cycles.join("\n  ")}`);
  });

  // The rule: routes and plugins reach limits, caches and sessions through the services only.
  test("the HTTP layer (src/api, src/app.ts, src/server.ts) never imports the stores", () => {
    const graph = importGraph(["src"]);
    const http = (file: string) =>
      file.startsWith(join("src", "api")) ||
      file === join("src", "app.ts") ||
      file === join("src", "server.ts");
    const offenders = [...graph]
      .filter(([file]) => http(file))
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith(join("src", "stores"))).map((t) => `${file} -> ${t}`),
      );
    expect(offenders).toEqual([]);
    expect(graph.get(join("src", "app.ts"))?.length).toBeGreaterThan(0);
  });

  test("the stores never import the HTTP layer (src/api)", () => {
    const graph = importGraph(["src"]);
    const offenders = [...graph]
      .filter(([file]) => file.startsWith(join("src", "stores")))
      .flatMap(([file, targets]) =>
        targets.filter((t) => t.startsWith(join("src", "api"))).map((t) => `${file} -> ${t}`),
      );
    expect(offenders).toEqual([]);
  });
});
