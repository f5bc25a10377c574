import { randomBytes } from "node:crypto";
import { createApp } from "../app.ts";
import { loadConfig } from "../core/config/load.ts";
import { createLogger } from "../core/logger.ts";
import { createServices, type ReadyConfig } from "../services/container.ts";

/** Where `npm run docs:openapi` writes the document, for client teams that generate code offline. */
export const OPENAPI_FILE = "docs/openapi.json";

/** Sorted keys at every level, so the file changes only when the document does. */
export function stableJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}

/**
 * The document a gateway with default settings serves at /docs/json: the routes alone decide it, so no
 * backend is reached (the URLs below are never called) and the secret is a throwaway.
 */
export async function openapiFileText(): Promise<string> {
  const config = loadConfig({
    flags: {
      jwtSecret: randomBytes(32).toString("hex"),
      usersUrl: "http://127.0.0.1:9",
      aggregatorUrl: "http://127.0.0.1:9",
    },
    env: {},
  }) as ReadyConfig;
  const logger = createLogger("error", () => {});
  const services = createServices(config, logger);
  try {
    const app = createApp({ services, logger });
    const response = await app.handle(new Request("http://localhost/docs/json"));
    return stableJson(await response.json());
  } finally {
    services.close();
  }
}
