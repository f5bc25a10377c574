import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { settings } from "../core/config/settings.ts";
import type { Tracer } from "../core/tracing/tracer.ts";
import type { ContractReader } from "../models/contract-reader.ts";
import type { CallContext } from "./call-context.ts";
import { ContractError, HTTPError, NetworkError, TimeoutError, type UpstreamRequest } from "./errors.ts";
import type { CircuitBreaker } from "./resilience/circuit-breaker.ts";
import { type CallPolicy, callPolicy, resilientCall, type Verdict } from "./resilience/policy.ts";
import type { RetryBudget } from "./resilience/retry-budget.ts";

export interface JsonClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /**
   * Largest answer body read; anything bigger is a contract violation, not something to buffer.
   * Without it, the `upstreamMaxBytes` setting's default, so a client built outside the container agrees.
   */
  maxBodyBytes?: number;
  retries?: number;
  breaker?: CircuitBreaker;
  budget?: RetryBudget;
  observe?: CallPolicy["observe"];
  tracer?: Tracer;
}

export interface JsonCall<T extends TSchema> {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  ctx: CallContext;
  /**
   * Checks a 2xx answer; the result is typed by the schema. A ContractReader also drops the fields the
   * schema does not name, in the same pass.
   */
  schema: TypeCheck<T> | ContractReader<T>;
  /** Asked when the attempt timed out: true if that was the gateway's own load (see Verdict "overload"). */
  overloaded?: () => boolean;
}

const checkObject = TypeCompiler.Compile(Type.Object({}));
const PROBLEM_MAX_BYTES = 16 * 1024;

/**
 * A 400 may be an Aggregator saying which parameter it does not support (docs/backends.md); only a
 * small problem+json body is read: one declared over the bound stays unread, one without a declared
 * length (chunked) is read until it passes the bound and then dropped. The call's timer covers the read.
 */
export async function problemOf(response: Response): Promise<string | undefined> {
  const type = response.headers.get("content-type") ?? "";
  if (!/^application\/problem\+json\b/i.test(type)) return undefined;
  const length = response.headers.get("content-length");
  if (length !== null) {
    const declared = Number(length);
    if (!(declared >= 0 && declared <= PROBLEM_MAX_BYTES)) return undefined;
    return response.text().catch(() => undefined);
  }
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks).toString("utf8");
      size += value.byteLength;
      if (size > PROBLEM_MAX_BYTES) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
}
const RETRYABLE_STATUS = new Set([502, 503]);

/**
 * A 4xx is the backend working as specified (wrong password, unknown user); 502/503 and lost connections
 * pass. A 3xx is a backend that is misconfigured or no longer the one configured: asking again cannot help.
 */
function classifyHttp(error: unknown, cutByDeadline: boolean): Verdict {
  if (error instanceof HTTPError) {
    if (error.response.status < 400) return "failure";
    if (error.response.status < 500) return "healthy";
    return RETRYABLE_STATUS.has(error.response.status) ? "transient" : "failure";
  }
  if (error instanceof NetworkError) return "transient";
  if (error instanceof TimeoutError) return cutByDeadline ? "failure" : "transient";
  return "failure";
}

/** A module-level function, so that arming a call's timer makes no closure. */
function timedOut(abort: AbortController): void {
  abort.abort(new DOMException("timed out", "TimeoutError"));
}

/** A timeout is `overload` when the caller says the load was its own (see Verdict). */
function classifyCall(error: unknown, cutByDeadline: boolean, call: JsonCall<TSchema>): Verdict {
  if (call.overloaded && error instanceof TimeoutError && call.overloaded()) return "overload";
  return classifyHttp(error, cutByDeadline);
}

/**
 * A small JSON-over-HTTP client shared by the backend clients. Bun's fetch keeps connections alive per
 * origin, so reusing one client object keeps the pool warm. Each call: the circuit breaker's say, a
 * timeout cut to the request's deadline (and sent along as X-Request-Timeout-Ms), at most `retries`
 * retries of transient failures within the retry budget, and the 2xx answer checked against its schema
 * (a backend is untrusted input).
 */
export class JsonClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #maxBody: number;
  readonly #policy: CallPolicy;

  constructor(options: JsonClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs;
    this.#maxBody = options.maxBodyBytes ?? settings.upstreamMaxBytes.default;
    this.#policy = callPolicy(options);
  }

  call<T extends TSchema>(call: JsonCall<T>): Promise<Static<T>> {
    return resilientCall(this.#policy, call.ctx, this.#attempt, classifyCall, call) as Promise<Static<T>>;
  }

  // One function for every call, given the call as its argument: no closure per call.
  readonly #attempt = (timeoutMs: number, traceparent: string | undefined, call: JsonCall<TSchema>) =>
    this.#once(call, timeoutMs, traceparent);

  /**
   * A health check: GET `path`, 2xx JSON object within `timeoutMs`. It bypasses the breaker and retries,
   * so probes neither trip nor mask the circuit, whose state /readyz reports beside it.
   */
  async probe(path: string, ctx: CallContext, timeoutMs = 1000): Promise<void> {
    await this.#once({ method: "GET", path, ctx, schema: checkObject }, Math.min(timeoutMs, this.#timeoutMs));
  }

  // One async frame per attempt (request, checks, body), because each extra one is paid on every call.
  async #once<T extends TSchema>(
    call: JsonCall<T>,
    timeoutMs: number,
    traceparent?: string,
  ): Promise<Static<T>> {
    const request = { method: call.method, url: this.#base + call.path };
    // Not AbortSignal.timeout: its timer outlives a call that answered in time (by the whole timeout, so
    // tens of thousands of armed timers under load); this one is disarmed once the body has been read.
    const abort = new AbortController();
    const timer = setTimeout(timedOut, timeoutMs, abort);
    try {
      let response: Response;
      try {
        response = await fetch(request.url, this.#init(call, timeoutMs, traceparent, abort.signal));
      } catch (error) {
        throw this.#wrap(request, error, timeoutMs, abort.signal);
      }
      if (!response.ok) {
        const problem = response.status === 400 ? await problemOf(response) : undefined;
        if (problem === undefined) await response.body?.cancel().catch(() => {});
        throw new HTTPError(request, response, problem);
      }
      const type = response.headers.get("content-type") ?? "";
      if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
        await response.body?.cancel().catch(() => {});
        throw new ContractError(request, response, `answered with content type "${type}", not JSON`);
      }
      // A declared length within the limit is read in one go (Bun stops at the declared length), parsed
      // from the bytes: no string of the whole body is made only to be parsed and dropped.
      const declared = Number(response.headers.get("content-length") ?? Number.NaN);
      let data: unknown;
      if (declared >= 0 && declared <= this.#maxBody) {
        try {
          data = await response.json();
        } catch (error) {
          if (error instanceof SyntaxError) throw notJson(request, response);
          throw this.#wrap(request, error, timeoutMs);
        }
      } else {
        data = parsed(await this.#readLimited(request, response, timeoutMs, declared), request, response);
      }
      return checked(call.schema, data, request, response);
    } finally {
      clearTimeout(timer);
    }
  }

  #init(call: JsonCall<TSchema>, timeoutMs: number, traceparent: string | undefined, signal: AbortSignal) {
    const { ctx, body } = call;
    const headers: Record<string, string> = {
      accept: "application/json",
      "x-request-id": ctx.requestId,
      "x-request-timeout-ms": String(Math.floor(timeoutMs)),
    };
    const parent = traceparent ?? ctx.traceparent;
    if (parent) headers.traceparent = parent;
    // Never followed: a redirect would re-send the body (a user's password) to wherever the Location
    // points and make that host's answer ours. A 3xx is not ok, so it fails the call as a bad answer.
    const init: RequestInit = { method: call.method, headers, signal, redirect: "manual" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return init;
  }

  /** A body without a declared length, or one declared over the limit. */
  async #readLimited(
    request: UpstreamRequest,
    response: Response,
    timeoutMs: number,
    declared: number,
  ): Promise<string> {
    if (declared > this.#maxBody) {
      await response.body?.cancel().catch(() => {});
      throw new ContractError(
        request,
        response,
        `answered with ${declared} bytes, over the ${this.#maxBody} limit`,
      );
    }
    const reader = response.body?.getReader();
    if (!reader) return "";
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > this.#maxBody) {
          await reader.cancel().catch(() => {});
          throw new ContractError(request, response, `answered with more than ${this.#maxBody} bytes`);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof ContractError) throw error;
      throw this.#wrap(request, error, timeoutMs);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  #wrap(request: UpstreamRequest, error: unknown, timeoutMs: number, signal?: AbortSignal): Error {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || (name === "AbortError" && signal?.aborted)) {
      return new TimeoutError(request, Math.floor(timeoutMs));
    }
    return new NetworkError(request, error);
  }
}

function notJson(request: UpstreamRequest, response: Response): ContractError {
  return new ContractError(request, response, "answered with a body that is not valid JSON");
}

function parsed(text: string, request: UpstreamRequest, response: Response): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw notJson(request, response);
  }
}

/** The parsed body if it matches `schema` (read by it, for a ContractReader), or a ContractError saying where not. */
function checked<T extends TSchema>(
  schema: JsonCall<T>["schema"],
  data: unknown,
  request: UpstreamRequest,
  response: Response,
): Static<T> {
  if ("read" in schema) {
    const read = schema.read(data);
    if (read !== undefined) return read;
    const where = schema.firstError(data);
    throw new ContractError(request, response, `answered with JSON that does not match its contract${where}`);
  }
  if (!schema.Check(data)) {
    const first = schema.Errors(data).First();
    const where = first ? ` (${first.path || "/"}: ${first.message})` : "";
    throw new ContractError(request, response, `answered with JSON that does not match its contract${where}`);
  }
  return data;
}
