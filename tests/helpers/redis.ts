import { randomUUID } from "node:crypto";
import { RedisClient } from "bun";

/**
 * Where the Redis-backed tests find a Redis: GATEWAY_TEST_REDIS_URL, else the local default. When none
 * answers they are skipped with a line saying why, except under CI=true, where that is a failure.
 */
export const TEST_REDIS_URL = process.env.GATEWAY_TEST_REDIS_URL || "redis://127.0.0.1:6379";

async function answers(url: string): Promise<string | null> {
  const client = new RedisClient(url, {
    connectionTimeout: 1000,
    autoReconnect: false,
    enableOfflineQueue: false,
  });
  try {
    await Promise.race([
      client.connect().then(() => client.send("PING", [])),
      Bun.sleep(1500).then(() => Promise.reject(new Error("no answer within 1.5 s"))),
    ]);
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.close();
  }
}

const problem = await answers(TEST_REDIS_URL);
if (problem !== null) {
  const line = `Redis tests need a Redis at ${TEST_REDIS_URL} (set GATEWAY_TEST_REDIS_URL): ${problem}`;
  if (process.env.CI === "true") throw new Error(`${line}; under CI=true this is a failure, not a skip`);
  console.warn(`SKIPPED: ${line}`);
}

export const redisMissing = problem !== null;

/** A key prefix no other test (or run) shares. */
export function uniquePrefix(): string {
  return `gateway-test:${randomUUID()}:`;
}
