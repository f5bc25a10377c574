import type { GatewayApp } from "../../src/app.ts";

export const ORIGIN = "http://localhost";

export const DEMO = {
  premium: { email: "premium@example.com", password: "premium-pass" },
  free: { email: "free@example.com", password: "free-pass" },
  expired: { email: "expired@example.com", password: "expired-pass" },
} as const;

export function json(path: string, body: unknown, init: RequestInit = {}): Request {
  return new Request(ORIGIN + path, {
    method: "POST",
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function get(path: string, token?: string, headers: Record<string, string> = {}): Request {
  return new Request(ORIGIN + path, {
    headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers,
  });
}

export async function call(app: GatewayApp, request: Request) {
  const response = await app.handle(request);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body, text };
}
