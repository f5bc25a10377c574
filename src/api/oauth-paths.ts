/**
 * The OAuth 2.0 endpoints: they take the form encoding (RFC 6749 §3.2, RFC 7009 §2.1) besides JSON, and
 * their errors are RFC 6749 §5.2 JSON, bad input included, instead of problem+json.
 */
export const OAUTH_PATHS: ReadonlySet<string> = new Set(["/token", "/revoke"]);
