/**
 * The OAuth 2.0 endpoints: they take the form encoding (RFC 6749 §3.2, RFC 7009 §2.1) besides JSON, and
 * their errors are RFC 6749 §5.2 JSON, bad input included, instead of problem+json.
 */
export const OAUTH_PATHS: ReadonlySet<string> = new Set(["/token", "/revoke"]);

const FORM = "application/x-www-form-urlencoded";

/**
 * Whether `request` is an OAuth client's, whose errors must be RFC 6749 §5.2's: one to an OAuth endpoint,
 * or a form login, which is the password grant's request (§4.3.2, what Swagger UI's password flow and
 * OAuth libraries send to the `tokenUrl` /login). A JSON login is the gateway's own API: problem+json.
 */
export function isOAuthRequest(path: string, request: Request): boolean {
  if (OAUTH_PATHS.has(path)) return true;
  if (path !== "/login") return false;
  return request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() === FORM;
}
