import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM files, for a child process that is told where its CA is. */
  certPath: string;
  cert: Buffer;
  key: Buffer;
  remove(): void;
}

/**
 * A self-signed certificate for `localhost`, made fresh with openssl (a committed key would be a key
 * anyone could reuse). A name, not 127.0.0.1: Bun's TLS refuses an IP address as the SNI server name.
 */
export function makeLocalhostCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "gateway-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  return {
    certPath,
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
