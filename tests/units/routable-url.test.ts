import { describe, expect, test } from "bun:test";
import { validHost } from "../../src/api/plugins/host-header.ts";
import { routableUrl } from "../../src/api/serve.ts";

/**
 * routableUrl remembers, per authority, whether a URL on it parses, instead of parsing every request's
 * URL, and the last plain authority that did, so that the next URL on it is not even sliced. These hold
 * it to what a full parse of each URL says, for authorities that parse, that do not, and that end early
 * (`?`, `#`, `\`), each asked twice so the remembered answers are checked too, and each right after
 * another authority (often one that parsed), so the last one's answer is never lent to the next.
 */
const AUTHORITIES = [
  "localhost",
  "127.0.0.1:8080",
  "[::1]:8080",
  "gateway.example.com",
  "x",
  "[",
  "[zq7host",
  "[::1",
  "a b",
  "x:99999",
  "x:65535",
  "1.2.3.4.5",
  "999.1.1.1",
  "xn--",
  "xn--a",
  "%zz",
  "%41",
  "a?b",
  "a#b",
  "a\\b",
  "user:pw@host",
  "\\",
  "\\x",
  "\\\\x",
  "@",
  "\t",
  "a\tb",
  "\n",
  ":80",
  "",
  "a<b",
  "a^b",
  "a|b",
];
const PATHS = ["/", "/search?query=iphone", "/x#frag", "/a b", "/%zz", "/\\x"];

describe("routableUrl", () => {
  test("leaves exactly the URLs that parse as they are, the second time as the first", () => {
    for (let round = 0; round < 2; round++) {
      for (const authority of AUTHORITIES) {
        for (const path of PATHS) {
          const url = `http://${authority}${path}`;
          const rewritten = routableUrl(url);
          expect({ url, kept: rewritten === undefined }).toEqual({ url, kept: URL.canParse(url) });
          if (rewritten !== undefined) expect(rewritten).toBe(`http://localhost${path}`);
        }
      }
    }
  });

  test("the shapes Bun gives without a usable Host go to the same path on a safe origin", () => {
    expect(routableUrl("/healthz")).toBe("http://localhost/healthz");
    expect(routableUrl("127.0.0.1:443")).toBe("http://localhost/");
    expect(routableUrl("http://[/x?y=1")).toBe("http://localhost/x?y=1");
    expect(routableUrl("http://[")).toBe("http://localhost/");
  });

  test("a flood of made-up hosts does not change any answer", () => {
    for (let i = 0; i < 1000; i++) routableUrl(`http://junk-${i}.example/x`);
    expect(routableUrl("http://[zq7host/x")).toBe("http://localhost/x");
    expect(routableUrl("http://fresh.example:8080/x")).toBeUndefined();
    expect(validHost("[zq7host")).toBe(false);
    expect(validHost("fresh-2.example:8080")).toBe(true);
  });
});
