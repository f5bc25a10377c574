import type { Static, TSchema } from "@sinclair/typebox";
import type { TypeCheck } from "@sinclair/typebox/compiler";
import { ContractError, HTTPError, NetworkError, TimeoutError } from "./errors.ts";
import type { LimitDecision } from "./limiter.ts";

/** Per-call context that travels to every backend. */
export interface CallContext {
  requestId: string;
  traceparent?: string;
  /** What the limiter decided for this call; the HTTP layer turns it into RateLimit headers. */
  limits?: LimitDecision;
}

export interface JsonClientOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Largest answer body read; anything bigger is a contract violation, not something to buffer. */
  maxBodyBytes?: number;
}

export interface JsonCall<T extends TSchema> {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  ctx: CallContext;
  /** Checks a 2xx answer; the result is typed by the schema. */
  schema: TypeCheck<T>;
}

const DEFAULT_MAX_BODY = 2 * 1024 * 1024;

/**
 * A small JSON-over-HTTP client shared by the backend clients. Bun's fetch keeps connections alive per
 * origin, so reusing one client object keeps the pool warm. Every 2xx answer is checked against its
 * schema before use: a backend is untrusted input.
 */
export class JsonClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #maxBody: number;

  constructor(options: JsonClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs;
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  }

  async call<T extends TSchema>(call: JsonCall<T>): Promise<Static<T>> {
    const { request, response } = await this.send(call.method, call.path, call.ctx, call.body);
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new HTTPError(request, response);
    }
    const type = response.headers.get("content-type") ?? "";
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      await response.body?.cancel().catch(() => {});
      throw new ContractError(request, response, `answered with content type "${type}", not JSON`);
    }
    const text = await this.#readLimited(request, response);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new ContractError(request, response, "answered with a body that is not valid JSON");
    }
    if (!call.schema.Check(data)) {
      const first = call.schema.Errors(data).First();
      const where = first ? ` (${first.path || "/"}: ${first.message})` : "";
      throw new ContractError(
        request,
        response,
        `answered with JSON that does not match its contract${where}`,
      );
    }
    return data;
  }

  /** Sends a request and hands back the raw response; errors are the typed ones of `errors.ts`. */
  async send(method: string, path: string, ctx: CallContext, body?: unknown) {
    const headers: Record<string, string> = { accept: "application/json", "x-request-id": ctx.requestId };
    if (ctx.traceparent) headers.traceparent = ctx.traceparent;
    if (body !== undefined) headers["content-type"] = "application/json";
    const request = new Request(this.#base + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    try {
      return { request, response: await fetch(request) };
    } catch (error) {
      throw this.#wrap(request, error);
    }
  }

  async #readLimited(request: Request, response: Response): Promise<string> {
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
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
      throw this.#wrap(request, error);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  #wrap(request: Request, error: unknown): Error {
    const name = (error as Error)?.name;
    if (name === "TimeoutError" || (name === "AbortError" && request.signal.aborted)) {
      return new TimeoutError(request, this.#timeoutMs);
    }
    return new NetworkError(request, error);
  }
}
