import type { Socket, TCPSocketListener } from "bun";

/**
 * A TCP hop between the gateway and a real Redis, so a test can make Redis disappear ("down": connections
 * cut, new ones refused) or hang ("blackhole": bytes swallowed) without touching the shared server.
 */
export type ProxyMode = "forward" | "blackhole" | "down";

interface Pair {
  upstream?: Socket<undefined>;
  pending: Uint8Array[];
}

export interface TcpProxy {
  url: string;
  mode(next: ProxyMode): void;
  stop(): void;
}

export function startTcpProxy(target: string): TcpProxy {
  const { hostname, port } = new URL(target);
  let mode: ProxyMode = "forward";
  const clients = new Set<Socket<Pair>>();
  const listener: TCPSocketListener<Pair> = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        if (mode === "down") {
          client.end();
          return;
        }
        client.data = { pending: [] };
        clients.add(client);
        Bun.connect({
          hostname,
          port: Number(port),
          socket: {
            data: (_, chunk) => {
              if (mode === "forward") client.write(chunk);
            },
            close: () => {
              client.end();
            },
            error: () => {
              client.end();
            },
          },
        })
          .then((upstream) => {
            client.data.upstream = upstream as unknown as Socket<undefined>;
            for (const chunk of client.data.pending) upstream.write(chunk);
            client.data.pending = [];
          })
          .catch(() => client.end());
      },
      data(client, chunk) {
        if (mode !== "forward") return;
        if (client.data.upstream) client.data.upstream.write(chunk);
        else client.data.pending.push(new Uint8Array(chunk));
      },
      close(client) {
        clients.delete(client);
        client.data?.upstream?.end();
      },
    },
  });
  return {
    url: `redis://127.0.0.1:${listener.port}`,
    mode(next) {
      mode = next;
      if (next === "down") for (const client of clients) client.end();
    },
    stop() {
      for (const client of clients) client.end();
      listener.stop(true);
    },
  };
}
