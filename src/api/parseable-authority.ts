// A server sees a handful of Host values (its names, its address), so the answer for each is kept; a
// bounded table, so a flood of made-up hosts costs what every request cost before: one parse each.
const KNOWN_MAX = 256;
const known = new Map<string, boolean>();

/**
 * Whether `http://<authority>/` parses as a URL. That is also whether `http://<authority><path>` does
 * when `authority` holds no `/`: once the authority ends, the path, query and fragment states of the
 * WHATWG URL parser accept anything, so only the authority can make it fail.
 */
export function parseableAuthority(authority: string): boolean {
  let ok = known.get(authority);
  if (ok === undefined) {
    ok = URL.canParse(`http://${authority}/`);
    if (known.size < KNOWN_MAX) known.set(authority, ok);
  }
  return ok;
}
