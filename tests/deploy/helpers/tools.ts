import { CI } from "./env.ts";

/**
 * The real tools some deploy tests run. A test that needs one skips where it is missing, with the reason
 * in its title, except under CI=true for a tool `.ci/run` installs: there its absence fails the test.
 */
export interface Tool {
  /** The command line to run it with; undefined where it is not installed (or too old). */
  argv: string[] | undefined;
  /** Why it may be missing, and where it comes from. */
  why: string;
  /** Installed by .ci/run (a Debian package), so required under CI. */
  installedByCi: boolean;
}

const output = (argv: string[]) => {
  const run = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", timeout: 30_000 });
  return run.exitCode === 0 ? run.stdout.toString() : "";
};

// Debian installs daemons such as haproxy in /usr/sbin, which a non-root user's PATH often lacks.
function which(name: string): string | undefined {
  return Bun.which(name, { PATH: `${process.env.PATH ?? ""}:/usr/local/sbin:/usr/sbin:/sbin` }) ?? undefined;
}

export const haproxy: Tool = {
  argv: ((bin) => (bin ? [bin] : undefined))(which("haproxy")),
  why: "no haproxy here (Debian package haproxy)",
  installedByCi: true,
};

/** Compose v2 only: Debian bookworm's docker-compose 1.29 refuses the Compose Specification's top-level `name`. */
export const dockerCompose: Tool = {
  argv: ((bin) => (bin && output([bin, "compose", "version"]) !== "" ? [bin, "compose"] : undefined))(
    which("docker"),
  ),
  why: "no `docker compose` v2 client here (not packaged by Debian bookworm; its docker-compose 1.29 cannot read this file)",
  installedByCi: false,
};

/**
 * kustomize v4 or later, alone or inside kubectl (1.21+). Debian bookworm's kubernetes-client is kubectl
 * 1.20, whose kustomize v2.0.3 refuses our `patches:` field, so CI cannot install one from Debian.
 */
export const kustomize: Tool = {
  argv: (() => {
    const major = (text: string) => Number(/v(\d+)\.\d+/.exec(text)?.[1] ?? 0);
    const standalone = which("kustomize");
    if (standalone && major(output([standalone, "version"])) >= 4) return [standalone, "build"];
    const kubectl = which("kubectl");
    const embedded = kubectl
      ? /Kustomize Version:\s*(\S+)/.exec(output([kubectl, "version", "--client"]))
      : null;
    if (kubectl && embedded && major(embedded[1] ?? "") >= 4) return [kubectl, "kustomize"];
    return undefined;
  })(),
  why: "no kustomize v4+ here (neither `kustomize` nor a kubectl 1.21+; Debian bookworm's kubectl 1.20 is too old)",
  installedByCi: false,
};

/** For test.skipIf: missing, and allowed to be. */
export const unavailable = (tool: Tool): boolean => tool.argv === undefined && !(CI && tool.installedByCi);

/** The test's title, with the reason appended when it is skipped, so a skip reads as one. */
export const titled = (title: string, tool: Tool): string =>
  unavailable(tool) ? `${title} [skipped: ${tool.why}]` : title;

/** The tool's command line; throws (failing the test) where it is required but missing. */
export function use(tool: Tool): string[] {
  if (!tool.argv) throw new Error(`under CI=true this cannot be skipped: ${tool.why}; .ci/run installs it`);
  return tool.argv;
}
