import type { GatewayApp } from "../../src/app.ts";
import { call, json, ORIGIN } from "../helpers/http.ts";

export function form(path: string, fields: Record<string, string>): Request {
  return new Request(ORIGIN + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

export function bearerPost(path: string, token: string): Request {
  return new Request(ORIGIN + path, { method: "POST", headers: { authorization: `Bearer ${token}` } });
}

export interface Pair {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_expires_in: number;
}

export async function loginPair(app: GatewayApp, who: { email: string; password: string }): Promise<Pair> {
  const { status, body } = await call(app, json("/login", who));
  if (status !== 200) throw new Error(`login as ${who.email} failed with ${status}`);
  return body as unknown as Pair;
}

export const refresh = (app: GatewayApp, refreshToken: string) =>
  call(app, form("/token", { grant_type: "refresh_token", refresh_token: refreshToken }));
