import { treaty } from "@elysiajs/eden";
import type { App } from "../../src/client.ts";
import type { TokenResponse } from "../../src/models/auth.ts";
import {
  deleteGatewaySession,
  type GatewaySession,
  loadGatewaySession,
  saveGatewaySession,
} from "./credentials.ts";
import { answerError } from "./errors.ts";
import { CliError, EXIT, type IO } from "./io.ts";

/** An access token with less left than this is renewed before it is sent, not after it is refused. */
export const REFRESH_MARGIN_MS = 30_000;

/** Longest a one-off command waits for the gateway, all its calls together. */
const COMMAND_TIMEOUT_MS = 30_000;

/** What every Eden call resolves to, as far as the CLI reads it. */
export interface EdenResult<T> {
  data: T | null;
  error: { status: unknown; value: unknown } | null;
  /** Undefined when no answer came at all (refused, reset, DNS, timeout). */
  response: Response | undefined;
  status: number;
}

export interface Answer<T> {
  data: T;
  headers: Headers;
}

/**
 * The `gateway` CLI as a client of a running gateway, over the typed Eden client the project ships
 * (routes, bodies and answers from the server's own `App` type). It holds the session saved for its
 * URL and renews it with the refresh token when the access token is near `exp` or refused once.
 */
export class GatewayClient {
  readonly api;
  readonly #io: IO;
  readonly #now: () => number;

  constructor(
    readonly url: string,
    io: IO,
    now: () => number = Date.now,
  ) {
    // parseDate off: Eden would otherwise turn every date-like string (an expiry, a product title) into a Date.
    this.api = treaty<App>(url, {
      parseDate: false,
      fetch: { signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS) },
    });
    this.#io = io;
    this.#now = now;
  }

  get loginHint(): string {
    return `Run \`gateway login --url ${this.url}\`.`;
  }

  /** The answer's data, or the failure the CLI reports for it (exit codes by status; 1 when unreachable). */
  unwrap<T>(result: EdenResult<T>, loginHint = this.loginHint): Answer<T> {
    if (!result.response) {
      const cause = result.error?.value;
      throw new CliError(
        `could not reach ${this.url} (${cause instanceof Error ? cause.message : String(cause)})`,
        EXIT.failure,
      );
    }
    if (result.error || result.data === null)
      throw answerError(result.status, result.error?.value, loginHint);
    return { data: result.data, headers: result.response.headers };
  }

  async login(email: string, password: string): Promise<GatewaySession> {
    // A 401 here is the wrong password, not an expired session: no hint to log in again.
    const { data } = this.unwrap(await this.api.login.post({ email, password }), "");
    return this.#save(data, email);
  }

  saved(): GatewaySession | undefined {
    return loadGatewaySession(this.#io.env, this.url);
  }

  /**
   * Calls `call` with the saved session's bearer token. An access token about to expire is renewed
   * first; one refused anyway (revoked, the gateway's keys rotated, clocks apart) is renewed once and
   * the call made again, so a script never sees a 401 while its session lives.
   */
  async authorized<T>(call: (authorization: string) => Promise<EdenResult<T>>): Promise<Answer<T>> {
    let session = this.saved();
    if (!session) throw new CliError(`not logged in to ${this.url}: ${this.loginHint}`, EXIT.auth);
    let renewed = false;
    if (Date.parse(session.expires_at) - this.#now() < REFRESH_MARGIN_MS) {
      session = await this.refresh(session);
      renewed = true;
    }
    let result = await call(`Bearer ${session.access_token}`);
    if (!renewed && result.response && result.status === 401) {
      session = await this.refresh(session);
      result = await call(`Bearer ${session.access_token}`);
    }
    return this.unwrap(result);
  }

  /**
   * POST /token with the refresh token (RFC 6749 §6); the new pair is saved at once, since the old
   * refresh token no longer works (rotation). A refused one means the session is over: it is deleted.
   */
  async refresh(session: GatewaySession): Promise<GatewaySession> {
    const ended = (why: string) => {
      deleteGatewaySession(this.#io.env, this.url);
      return new CliError(`the session with ${this.url} has ended (${why}). ${this.loginHint}`, EXIT.auth);
    };
    if (Date.parse(session.refresh_expires_at) <= this.#now())
      throw ended(`it expired at ${session.refresh_expires_at}`);
    const result = await this.api.token.post({
      grant_type: "refresh_token",
      refresh_token: session.refresh_token,
    });
    const value = result.error?.value as { error?: unknown; error_description?: unknown } | undefined;
    if (result.response && value?.error === "invalid_grant")
      throw ended(typeof value.error_description === "string" ? value.error_description : "invalid_grant");
    const { data } = this.unwrap(result);
    return this.#save(data, session.email);
  }

  forget(): boolean {
    return deleteGatewaySession(this.#io.env, this.url);
  }

  #save(pair: TokenResponse, email: string): GatewaySession {
    const now = this.#now();
    const session: GatewaySession = {
      email,
      access_token: pair.access_token,
      expires_at: new Date(now + pair.expires_in * 1000).toISOString(),
      refresh_token: pair.refresh_token,
      refresh_expires_at: new Date(now + pair.refresh_expires_in * 1000).toISOString(),
    };
    saveGatewaySession(this.#io.env, this.url, session);
    return session;
  }
}
