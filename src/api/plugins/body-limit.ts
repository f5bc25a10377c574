import { Elysia } from "elysia";
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from "../../core/errors.ts";
import { OAUTH_PATHS } from "../oauth-paths.ts";

export const DEFAULT_BODY_LIMIT = 16 * 1024;
/** Only the OAuth2 endpoints take a form (Swagger's Authorize posts one to /login); the rest is JSON. */
const FORM_PATHS: ReadonlySet<string> = new Set(["/login", ...OAUTH_PATHS]);

async function readLimited(request: Request, limit: number): Promise<string> {
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A declared Content-Length over the limit is refused on arrival, before anything is read. */
export function checkDeclaredLength(request: Request, limit: number): void {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLarge(limit);
}

/**
 * Bodies are read by us, not by the framework, so that a body over the limit is refused while it
 * streams in, and so that parse failures name what was wrong. The declared length is checked by the
 * request pipeline (`checkDeclaredLength`), which must be given the same limit.
 */
export function bodyLimit(limit = DEFAULT_BODY_LIMIT, formPaths: ReadonlySet<string> = FORM_PATHS) {
  return new Elysia({ name: "body-limit", seed: limit })
    .onParse(async ({ request, contentType }) => {
      const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
      const text = await readLimited(request, limit);
      // A POST with nothing in it (/logout) has no body to parse, rather than one of the wrong type.
      if (type === "" && text === "") return null;
      if (type === "application/json" || type.endsWith("+json")) {
        try {
          return JSON.parse(text);
        } catch {
          throw new BadRequest("The request body is not valid JSON.");
        }
      }
      const forms = formPaths.has(new URL(request.url).pathname);
      if (forms && type === "application/x-www-form-urlencoded")
        return Object.fromEntries(new URLSearchParams(text));
      const accepted = forms ? "application/json or application/x-www-form-urlencoded" : "application/json";
      throw new UnsupportedMediaType(`Content type "${type || "(none)"}" is not accepted; send ${accepted}.`);
    })
    .as("global");
}
