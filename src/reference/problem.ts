import { Elysia, type ValidationError } from "elysia";
import type { Problem } from "../models/problem.ts";
import { requestIdOf } from "./request-id.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Namespace of the reference backends' problem types; `.example` because nothing is served there. */
export const PROBLEM_TYPE_BASE = "https://reference.example/problems/";

type FieldError = NonNullable<Problem["errors"]>[number];

export interface ProblemInit {
  status: number;
  /** Last segment of the problem type URI, e.g. "not-found". */
  slug: string;
  title: string;
  detail: string;
  request?: Request;
  errors?: FieldError[];
  /** Extra members (RFC 9457 §3.2), e.g. `parameter` of an `unsupported-parameter` problem. */
  extensions?: Record<string, string>;
}

export function problemBody(init: ProblemInit): Problem {
  const body: Problem = {
    type: PROBLEM_TYPE_BASE + init.slug,
    title: init.title,
    status: init.status,
    detail: init.detail,
  };
  const requestId = init.request === undefined ? undefined : requestIdOf(init.request);
  if (requestId !== undefined) body.request_id = requestId;
  if (init.errors !== undefined) body.errors = init.errors;
  return init.extensions === undefined ? body : { ...init.extensions, ...body };
}

export function problemResponse(init: ProblemInit): Response {
  return new Response(JSON.stringify(problemBody(init)), {
    status: init.status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE },
  });
}

/**
 * Turns TypeBox errors into `{field, message}`. Elysia's `summary` is avoided on purpose: it quotes the
 * offending value, which for the Users service could be a password.
 */
export function fieldErrors(error: Pick<ValidationError, "all" | "type">): FieldError[] {
  const seen = new Map<string, string>();
  for (const issue of error.all) {
    const field = issue.path.replace(/^\//, "").replaceAll("/", ".") || error.type;
    // TypeBox reports several errors per field (e.g. "missing" then "expected string"); the first says most.
    if (!seen.has(field)) seen.set(field, issue.message);
  }
  return [...seen].map(([field, message]) => ({ field, message }));
}

/**
 * Maps every Elysia error to a problem+json response so no backend ever leaks a stack trace.
 * Global scope so it covers the routes of the app that uses it, including unmatched ones.
 */
export const problemErrors = new Elysia({ name: "reference-problems" }).onError(
  { as: "global" },
  ({ code, error, request }) => {
    switch (code) {
      case "NOT_FOUND":
        return problemResponse({
          status: 404,
          slug: "not-found",
          title: "Not Found",
          detail: "No such resource.",
          request,
        });
      case "PARSE":
        return problemResponse({
          status: 400,
          slug: "malformed-body",
          title: "Malformed request body",
          detail: "The request body could not be parsed; send valid JSON.",
          request,
        });
      case "VALIDATION":
        // A response failing its own schema is our bug, not the caller's.
        if (error.type === "response") break;
        return problemResponse({
          status: 422,
          slug: "validation",
          title: "Invalid request",
          detail: `The request ${error.type} does not match the schema.`,
          request,
          errors: fieldErrors(error),
        });
      case "INVALID_COOKIE_SIGNATURE":
      case "INVALID_FILE_TYPE":
        return problemResponse({
          status: 400,
          slug: "bad-request",
          title: "Bad Request",
          detail: error.message,
          request,
        });
    }
    if (typeof code === "number" && code >= 400 && code < 500) {
      return problemResponse({
        status: code,
        slug: "client-error",
        title: "Client error",
        detail: `HTTP ${code}.`,
        request,
      });
    }
    return problemResponse({
      status: 500,
      slug: "internal",
      title: "Internal Server Error",
      detail: "The service failed to handle the request.",
      request,
    });
  },
);
