import { readdirSync } from "node:fs";
import { join } from "node:path";
import { settings } from "../../../src/core/config/settings.ts";
import { read, root } from "./env.ts";

/*
 * The Dockerfile, read by a small parser of our own: no Debian package exposes Dockerfile parsing (hadolint
 * is not in Debian; buildah and openshift-imagebuilder parse it only to build, which needs the base images
 * from a registry; docker's BuildKit needs a daemon). It knows what our Dockerfile uses: comments, line
 * continuations, global ARGs in FROM, `FROM image AS name`, and exec-form JSON arrays.
 */

export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  image: string;
  name?: string;
  instructions: Instruction[];
}

/** Logical instructions (continuations joined, comments dropped), grouped by stage, FROM's ARGs resolved. */
export function parseDockerfile(text: string): Stage[] {
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
export function execForm(args: string): string[] {
  return args.trim().startsWith("[") ? (JSON.parse(args) as string[]) : ["/bin/sh", "-c", args];
}

export function parseEnvInstruction(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes("=")) {
    const [name = "", ...rest] = args.split(/\s+/);
    env[name] = rest.join(" ");
    return env;
  }
  for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) env[m[1] as string] = m[3] ?? m[2] ?? "";
  return env;
}

export function copyParts(args: string): { flags: Map<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = new Map<string, string>();
  while (words[0]?.startsWith("--")) {
    const [name = "", value = ""] = (words.shift() as string).slice(2).split("=");
    flags.set(name, value);
  }
  const dest = words.pop() ?? "";
  return { flags, sources: words, dest };
}

export const stages = parseDockerfile(read("Dockerfile"));
export const buildStage = stages.find((s) => s.instructions.some((i) => /\bnpm run build\b/.test(i.args)));
export const finalStage = stages.at(-1) as Stage;
export const all = (stage: Stage | undefined, keyword: string) =>
  (stage?.instructions ?? []).filter((i) => i.keyword === keyword).map((i) => i.args);
export const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
export const imageEnv = Object.assign({}, ...all(finalStage, "ENV").map(parseEnvInstruction)) as Record<
  string,
  string
>;
export const [imageUid = "", imageGid = ""] = (last(finalStage, "USER") ?? "").split(":");
export const packageJson = JSON.parse(read("package.json")) as { scripts: Record<string, string> };
export const buildScript = packageJson.scripts.build ?? "";
export const outfile = /--outfile\s+(\S+)/.exec(buildScript)?.[1] ?? "";

/** The binary's COPY in the final stage: from the build stage to somewhere on PATH. */
export const binaryCopy = all(finalStage, "COPY")
  .map(copyParts)
  .find((c) => c.flags.get("from") === buildStage?.name);

/** A port of the gateway as the image runs it: the env given, else the image's ENV, else the default. */
export function effective(env: Map<string, string> | Record<string, unknown>, key: keyof typeof settings) {
  const name = settings[key].env;
  const given = env instanceof Map ? env.get(name) : (env[name] as string | undefined);
  return given ?? imageEnv[name] ?? (settings[key].default as unknown);
}

/** .dockerignore semantics: the last matching pattern wins; a pattern that matches a directory covers it. */
export function contextFiles(): string[] {
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
