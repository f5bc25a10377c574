/**
 * A misbehaving backend for fault tests: it answers what the test tells it, and counts the calls.
 * Real sockets, so the gateway's real client meets the fault.
 */
export type Behaviour = (request: Request) => Response | Promise<Response>;

export interface FakeBackend {
  url: string;
  calls: Request[];
  behave(next: Behaviour): void;
  stop(): Promise<void>;
}

export function startFakeBackend(initial: Behaviour): FakeBackend {
  let behaviour = initial;
  const calls: Request[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      calls.push(request);
      return behaviour(request);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls,
    behave: (next) => {
      behaviour = next;
    },
    stop: () => server.stop(true),
  };
}

/** A URL on which nothing listens: bind a port, then let it go. */
export async function deadUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const url = `http://127.0.0.1:${server.port}`;
  await server.stop(true);
  return url;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
