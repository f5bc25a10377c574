import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

// "localhost", not a short host: Elysia mis-routes requests whose host has 1-3 characters.
const BASE = "http://localhost";

export function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, { headers });
}

/** A POST with a JSON body; pass a string to send it verbatim (e.g. malformed JSON). */
export function postJson(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Asserting validator: the error lists every TypeBox complaint, which beats a bare `false`. */
export function validator<T extends TSchema>(schema: T): (value: unknown) => string[] {
  const compiled = TypeCompiler.Compile(schema);
  return (value) => [...compiled.Errors(value)].map((error) => `${error.path}: ${error.message}`);
}

/** The response body checked against a model, so tests read typed fields that really are there. */
export async function bodyAs<T extends TSchema>(schema: T, response: Response): Promise<Static<T>> {
  const body: unknown = await response.json();
  const errors = validator(schema)(body);
  if (errors.length > 0) throw new Error(`body does not match the model: ${errors.join("; ")}`);
  return body as Static<T>;
}
