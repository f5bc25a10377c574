/**
 * Backend URLs may carry credentials in their userinfo (`http://svc:password@users:8081`, the usual way
 * to give Redis its password), and a URL is shown in logs, the demo banner and error messages. Every URL
 * in a text keeps its scheme, host and path but loses its userinfo (RFC 3986 §3.2.1, which deprecates a
 * password there because it ends up shown in clear). The userinfo is what precedes the last `@` of the
 * authority, so a password with an unescaped `@` goes too.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'<>\\]*@/gi;

export const REDACTED = "[redacted]";

export function redactUrls(text: string): string {
  // Most texts hold no URL at all; a scan for "://" is cheaper than the regular expression.
  return text.includes("://") ? text.replace(USERINFO, `$1${REDACTED}@`) : text;
}
