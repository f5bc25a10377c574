import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
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
});
