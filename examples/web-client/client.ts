/**
 * A typed front end for the gateway with Eden Treaty: routes, bodies, query strings and answers all come
 * from the server's own type (`App`), so a wrong field or a renamed route is a compile error here.
 *
 * The functions run in a browser (bundle this file) or in Bun; run directly it logs in and searches:
 *   bun examples/web-client/client.ts [http://localhost:8080] [query]
 */
import { treaty } from "@elysiajs/eden";
import type { App } from "../../src/client.ts";

export type Gateway = ReturnType<typeof treaty<App>>;

/** An RFC 9457 problem as the gateway sends it (application/problem+json). */
export interface Problem {
  status: number;
  title: string;
  detail: string;
}

/** Any answer other than 2xx; every error the gateway declares is a problem. */
export class GatewayError extends Error {
  readonly status: number;
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "GatewayError";
    this.status = problem.status;
  }
}

export function connect(baseUrl: string): Gateway {
  return treaty<App>(baseUrl);
}

/** POST /login; the bearer token for every other call. */
export async function login(api: Gateway, email: string, password: string): Promise<string> {
  const { data, error } = await api.login.post({ email, password });
  if (error) throw new GatewayError(error.value);
  return data.access_token;
}

/** GET /search as the logged-in user: the answer, typed as the server declares it. */
export async function search(api: Gateway, token: string, query: string, limit?: number) {
  const { data, error } = await api.search.get({
    query: limit === undefined ? { query } : { query, limit },
    headers: { authorization: `Bearer ${token}` },
  });
  if (error) throw new GatewayError(error.value);
  return data;
}

/** One line per offer: price, title, marketplace. */
export function formatResults(answer: Awaited<ReturnType<typeof search>>): string[] {
  return answer.results.map(
    (p) => `${p.price.toFixed(2).padStart(9)} ${p.currency}  ${p.title}  (${p.source})`,
  );
}

if (import.meta.main) {
  const baseUrl = process.argv[2] ?? process.env.GATEWAY_URL ?? "http://localhost:8080";
  const query = process.argv[3] ?? "iphone";
  const api = connect(baseUrl);
  try {
    const token = await login(api, "premium@example.com", "premium-pass");
    const answer = await search(api, token, query, 5);
    console.log(`${answer.results.length} results for "${answer.query}" (limit ${answer.limit}):`);
    for (const line of formatResults(answer)) console.log(line);
  } catch (error) {
    console.error(`web-client: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
