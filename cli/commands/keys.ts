import { existsSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { settings } from "../../src/core/config/settings.ts";
import { generateJwk } from "../../src/core/security/key-gen.ts";
import { ASYMMETRIC_ALGS, type AsymmetricAlg, jwksOfFile, keysAt } from "../../src/core/security/key-ring.ts";
import { writePrivate } from "../lib/credentials.ts";
import { CliError, EXIT, type IO } from "../lib/io.ts";
import { renderTable } from "../lib/table.ts";

interface Where {
  dir?: string;
  file?: string;
}

/** --dir or --file, else GATEWAY_JWT_KEYS (a directory if it is one, or has no .json name yet). */
function target(options: Where, io: IO): { dir: string } | { file: string } {
  if (options.dir && options.file) throw new CliError("give --dir or --file, not both", EXIT.usage);
  if (options.dir) return { dir: options.dir };
  if (options.file) return { file: options.file };
  const path = io.env[settings.jwtKeys.env];
  if (!path)
    throw new CliError(`say where the keys are: --dir, --file or ${settings.jwtKeys.env}`, EXIT.usage);
  const isDir = existsSync(path) ? statSync(path).isDirectory() : !path.endsWith(".json");
  return isDir ? { dir: path } : { file: path };
}

const pathOf = (where: { dir: string } | { file: string }) => ("dir" in where ? where.dir : where.file);

const keysOrNone = (path: string) => {
  if (!existsSync(path)) return [];
  try {
    return keysAt(path);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
};

/**
 * The new key is written whole before it is visible (a temporary file renamed into place), so a
 * gateway watching the ring never reads half a key and never logs a spurious reload failure.
 */
function writeKeyFile(path: string, contents: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writePrivate(temporary, `${JSON.stringify(contents, null, 2)}\n`);
  renameSync(temporary, path);
}

function generate(io: IO, options: Where & { alg: string; state?: string }): void {
  if (!ASYMMETRIC_ALGS.includes(options.alg as AsymmetricAlg))
    throw new CliError(`--alg must be ${ASYMMETRIC_ALGS.join(" or ")}`, EXIT.usage);
  if (options.state !== undefined && options.state !== "active" && options.state !== "verify-only")
    throw new CliError("--state must be active or verify-only", EXIT.usage);
  const where = target(options, io);
  const existing = keysOrNone(pathOf(where));
  const active = existing.find((key) => key.state === "active");
  // The first key signs; any later one starts verify-only, so every instance knows it before it signs.
  const state = (options.state ?? (active ? "verify-only" : "active")) as "active" | "verify-only";
  if (state === "active" && active)
    throw new CliError(
      `"${active.kid}" is already active and a ring has one active key: generate with --state verify-only, then switch the states (docs/deploy.md, Key rotation)`,
      EXIT.usage,
    );
  const jwk = generateJwk(options.alg as AsymmetricAlg, state);
  let path: string;
  if ("dir" in where) {
    path = join(where.dir, `${jwk.kid}.json`);
    writeKeyFile(path, jwk);
  } else {
    path = where.file;
    writeKeyFile(path, { keys: [...(existsSync(path) ? jwksOfFile(path) : []), jwk] });
  }
  io.stdout(`${jwk.kid} ${jwk.alg} ${state} written to ${path}\n`);
}

function list(io: IO, options: Where): void {
  const where = target(options, io);
  const keys = keysOrNone(pathOf(where));
  if (keys.length === 0) throw new CliError(`no keys at ${pathOf(where)}`);
  const rows = keys.map((key) => [key.kid, key.alg, key.state, key.created ?? "-"]);
  io.stdout(`${renderTable(["KID", "ALG", "STATE", "CREATED"], rows)}\n`);
}

export function registerKeys(program: Command, io: IO): void {
  const keys = program
    .command("keys")
    .description(`Manage the access-token key ring (${settings.jwtKeys.env}): generate a key, list them`);
  const place = (command: Command) =>
    command
      .option("--dir <dir>", `a directory of JWK files [default ${settings.jwtKeys.env}]`)
      .option("--file <file>", `one JWK Set file [default ${settings.jwtKeys.env}]`);
  place(
    keys
      .command("generate")
      .description("Write a new private signing key (mode 0600); the first is active, later ones verify-only")
      .option("--alg <alg>", "EdDSA (Ed25519) or ES256 (P-256)", "EdDSA")
      .option("--state <state>", "active or verify-only [default: active if the ring has no active key]"),
  ).action((options: Where & { alg: string; state?: string }) => generate(io, options));
  place(
    keys
      .command("list")
      .description("Show each key's kid, algorithm, state and creation date (no key material)"),
  ).action((options: Where) => list(io, options));
}
