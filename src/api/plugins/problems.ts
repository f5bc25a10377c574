import { Elysia, ValidationError } from "elysia";
import { BadRequest, GatewayError, InvalidInput, NotFound } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { Problem } from "../../models/problem.ts";
import { rateLimitHeaders } from "../rate-limit-headers.ts";
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

/** A schema's own `error` text beats TypeBox's (which reads "should be one of: 'numeric', 'number'"). */
function fromValidation(error: ValidationError): InvalidInput {
  const errors = error.all.map((e) => {
    const custom = "schema" in e ? (e.schema as { error?: unknown }).error : undefined;
    const path = "path" in e && e.path ? e.path.replace(/^\//, "").replaceAll("/", ".") : "";
    const message = typeof custom === "string" ? custom : ("summary" in e && e.summary) || e.message;
    return { field: path || error.type, message: message || "is invalid" };
  });
  return new InvalidInput(`The request ${error.type} is not valid.`, errors);
}

export function toProblem(error: GatewayError, requestId: string): Problem {
  const problem: Problem = {
    type: PROBLEM_TYPE_BASE + error.code,
    title: error.title,
    status: error.status,
    detail: error.message,
    request_id: requestId,
  };
  if (error.errors && error.errors.length > 0) problem.errors = error.errors;
  return { ...problem, ...error.extensions };
}

/** The one place where anything thrown becomes RFC 9457 problem+json; stack traces stay in the log. */
export function problems(logger: Logger) {
  return new Elysia({ name: "problems" })
    .onError(({ code, error, set, request }) => {
      const meta = requestMeta(request);
      let mapped: GatewayError;
      // Our body parser's own errors (413, 415, bad JSON) arrive wrapped in Elysia's ParseError.
      const cause = code === "PARSE" ? (error as Error).cause : undefined;
      if (error instanceof GatewayError) mapped = error;
      else if (cause instanceof GatewayError) mapped = cause;
      else if (error instanceof ValidationError) mapped = fromValidation(error);
      else if (code === "NOT_FOUND") {
        mapped = new NotFound(`There is no ${request.method} ${new URL(request.url).pathname}.`);
      } else if (code === "PARSE") mapped = new BadRequest("The request body could not be parsed.");
      else {
        logger.error("unhandled error", { request_id: meta.requestId, error: error as Error });
        mapped = new InternalError();
      }
      if (mapped.status >= 500) {
        logger.warn("request failed", { request_id: meta.requestId, status: mapped.status, error: mapped });
      }
      set.status = mapped.status;
      const limits = meta.call.limits ? rateLimitHeaders(meta.call.limits) : {};
      Object.assign(set.headers, limits, mapped.headers, { "content-type": PROBLEM_JSON });
      return JSON.stringify(toProblem(mapped, meta.requestId));
    })
    .as("global");
}
