import { Elysia, ValidationError } from "elysia";
import { BadRequest, GatewayError, InvalidInput, NotFound, OAuthError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { GatewayMetrics } from "../../core/metrics/gateway-metrics.ts";
import {
  FIELD_ERROR_MAX_LENGTH,
  PROBLEM_DETAIL_MAX_LENGTH,
  PROBLEM_ERRORS_MAX_ITEMS,
  type Problem,
} from "../../models/problem.ts";
import { isOAuthRequest } from "../oauth-paths.ts";
import { requestMeta } from "./request-context.ts";

export const PROBLEM_TYPE_BASE = "/problems/";
const PROBLEM_JSON = "application/problem+json";

class InternalError extends GatewayError {
  constructor() {
    super(
      500,
      "internal",
      "Internal server error",
      "Something went wrong on our side; the request id identifies it.",
    );
  }
}

interface SchemaIssue {
  path?: string;
  message?: string;
  summary?: string;
  schema?: { error?: unknown; "x-field"?: unknown };
}

const PARTS = new Set(["body", "query", "params", "headers"]);

/**
 * A schema's own `error` text beats TypeBox's (which reads "should be one of: 'numeric', 'number'"),
 * and its `x-field` names the field where Elysia's nested coercion loses the path.
 */
function fieldError(issue: SchemaIssue): { field: string; message: string } {
  const custom = issue.schema?.error;
  const path = issue.path ? issue.path.replace(/^\//, "").replaceAll("/", ".") : "";
  const named = typeof issue.schema?.["x-field"] === "string" ? issue.schema["x-field"] : "";
  const message = typeof custom === "string" ? custom : issue.summary || issue.message || "is invalid";
  return { field: named || path || "request", message };
}

function fromValidation(error: ValidationError): InvalidInput {
  const part = PARTS.has(error.type) ? error.type : "request";
  return new InvalidInput(
    `The ${part === "request" ? "request" : `request ${part}`} is not valid.`,
    error.all.map(fieldError),
  );
}

export function toProblem(error: GatewayError, requestId: string): Problem {
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + error.code,
    title: error.title,
    status: error.status,
    // Bounded as the document says: a detail or a field error may quote what the client sent.
    detail: error.message.slice(0, PROBLEM_DETAIL_MAX_LENGTH),
    request_id: requestId,
  };
  if (error.errors && error.errors.length > 0)
    problem.errors = error.errors.slice(0, PROBLEM_ERRORS_MAX_ITEMS).map((e) => ({
      field: e.field.slice(0, FIELD_ERROR_MAX_LENGTH),
      message: e.message.slice(0, FIELD_ERROR_MAX_LENGTH),
    }));
  return { ...problem, ...error.extensions };
}

type ErrorSet = { status?: number | string; headers: Record<string, string | number> };

const FALLBACK = JSON.stringify(toProblem(new InternalError(), "unknown"));

/** The one place where anything thrown becomes RFC 9457 problem+json; stack traces stay in the log. */
export function problems(logger: Logger, metrics?: GatewayMetrics) {
  return new Elysia({ name: "problems" })
    .onError(({ code, error, set, request, path }) => {
      try {
        return answer(code, error, set, request, path);
      } catch (failure) {
        // A throw here would reach Bun, whose answer is not ours; this one needs nothing of the request.
        logger.error("error handler failed", { error: failure as Error });
        set.status = 500;
        set.headers["content-type"] = PROBLEM_JSON;
        return FALLBACK;
      }
    })
    .as("global");

  function answer(code: unknown, error: unknown, set: ErrorSet, request: Request, path: string) {
    const meta = requestMeta(request);
    let mapped: GatewayError;
    // Our body parser's own errors (413, 415, bad JSON) arrive wrapped in Elysia's ParseError.
    const cause = code === "PARSE" ? (error as Error).cause : undefined;
    if (error instanceof GatewayError) mapped = error;
    else if (cause instanceof GatewayError) mapped = cause;
    else if (error instanceof ValidationError) mapped = fromValidation(error);
    else if (code === "VALIDATION") {
      // TypeBox's decode errors (e.g. too many comma-separated values) carry the issue in `.error`.
      const issue = (error as { error?: SchemaIssue }).error ?? {};
      mapped = new InvalidInput("The request is not valid.", [fieldError(issue)]);
    } else if (code === "NOT_FOUND") {
      // The routed path, not `new URL(request.url)`: that throws on a URL Bun built from a broken Host.
      mapped = new NotFound(`There is no ${request.method} ${path}.`);
    } else if (code === "PARSE") mapped = new BadRequest("The request body could not be parsed.");
    else {
      logger.error("unhandled error", { request_id: meta.requestId, error: error as Error });
      mapped = new InternalError();
    }
    if (mapped.status >= 500 && !(mapped instanceof InternalError)) {
      logger.warn("request failed", { request_id: meta.requestId, status: mapped.status, error: mapped });
    }
    if (mapped.status === 429) {
      const violated = mapped.extensions["violated-policies"];
      for (const policy of Array.isArray(violated) ? violated : ["unknown"])
        metrics?.rejections.inc([String(policy)]);
    }
    // An OAuth client's request gets the RFC 6749 §5.2 error it can read, for every error that has one
    // (bad input is invalid_request, wrong credentials invalid_grant); the rest stays problem+json.
    if (mapped.oauth && !(mapped instanceof OAuthError) && isOAuthRequest(path, request)) {
      const fields = mapped.errors?.map((e) => `${e.field} ${e.message}`).join("; ");
      mapped = new OAuthError(mapped.oauth, fields ? `${mapped.message} ${fields}` : mapped.message);
    }
    set.status = mapped.status;
    // The RateLimit headers of a request the limiter decided on are in `set` already (request-context.ts).
    if (mapped instanceof OAuthError) {
      Object.assign(set.headers, mapped.headers, { "content-type": "application/json" });
      return JSON.stringify({ error: mapped.code, error_description: mapped.message });
    }
    Object.assign(set.headers, mapped.headers, { "content-type": PROBLEM_JSON });
    return JSON.stringify(toProblem(mapped, meta.requestId));
  }
}
