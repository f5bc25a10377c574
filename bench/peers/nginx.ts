/**
 * The C limit for a caching front door: Debian's nginx in front of the Aggregator with a 60 s
 * proxy_cache keyed by query and categories. It verifies no token (it only requires one) and builds the
 * Aggregator's JSON body from the raw query argument, which is safe for the benchmark's alphanumeric
 * queries only. Everything lives in a temp dir (`-p` prefix: pid, temp and cache paths, logs), on a free
 * loopback port, in the foreground with no master process, so the one pid measured is all of nginx.
 * The dir is on tmpfs where there is one: on this machine's disk, writing the cache files stalled the one
 * worker at 256 connections (0.8k req/s against 20k on tmpfs), and a tuned front door keeps them in RAM.
 * No proxy_cache_lock: its waiters poll every 500 ms, which at 256 connections measures the poll.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const NGINX = "/usr/sbin/nginx";

/** Why nginx cannot be a target here, or undefined when it can. */
export function nginxMissing(): string | undefined {
  return Bun.which("nginx", { PATH: `/usr/sbin:${process.env.PATH ?? ""}` })
    ? undefined
    : `${NGINX} is not installed (apt-get install nginx-light)`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function config(port: number, aggregator: string): string {
  const upstream = new URL(aggregator);
  return `worker_processes 1;
master_process off;
daemon off;
pid nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log logs/access.log combined buffer=64k;
  client_body_temp_path tmp/client;
  proxy_temp_path tmp/proxy;
  fastcgi_temp_path tmp/fastcgi;
  uwsgi_temp_path tmp/uwsgi;
  scgi_temp_path tmp/scgi;
  proxy_cache_path cache levels=1:2 keys_zone=search:32m max_size=256m inactive=120s;
  # One idle upstream connection per client connection at 256: a smaller pool closes and reopens them.
  upstream aggregator { server ${upstream.host}; keepalive 512; }
  server {
    listen 127.0.0.1:${port};
    location = /healthz { return 200 "ok"; }
    location = /search {
      if ($http_authorization !~ "^Bearer .") { return 401; }
      proxy_cache search;
      proxy_cache_key "$arg_query|$arg_categories";
      proxy_cache_valid 200 60s;
      add_header X-Cache $upstream_cache_status;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Content-Type application/json;
      proxy_set_header X-Request-Id $request_id;
      proxy_method POST;
      proxy_set_body '{"request_id":"$request_id","query":"$arg_query","categories":[],"limit":20}';
      proxy_pass http://aggregator/v1/search;
    }
  }
}
`;
}

/** nginx started with `argvPrefix` (e.g. taskset) in front, answering on its URL. */
export async function startNginx(
  aggregator: string,
  argvPrefix: (argv: string[]) => string[],
): Promise<{ child: Subprocess<"ignore", "ignore", "pipe">; url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "bench-nginx-"));
  for (const sub of ["logs", "tmp", "cache"]) mkdirSync(join(dir, sub));
  const port = await freePort();
  writeFileSync(join(dir, "nginx.conf"), config(port, aggregator));
  const child = Bun.spawn(argvPrefix([NGINX, "-p", `${dir}/`, "-c", "nginx.conf", "-e", "stderr"]), {
    stdout: "ignore",
    stderr: "pipe",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${await new Response(child.stderr).text()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 100) throw new Error("nginx did not answer /healthz within 5 s");
    await Bun.sleep(50);
  }
  return {
    child,
    url,
    async stop() {
      child.kill("SIGQUIT");
      await Promise.race([child.exited, Bun.sleep(3000).then(() => child.kill("SIGKILL"))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
