import { redactUrls } from "../../src/core/security/redact-url.ts";
import type { DemoStack } from "./demo.ts";
import { DEMO_USERS } from "./demo.ts";

/** What a person starting `gateway serve --demo` needs to try it at once. */
export function demoBanner(url: string, stack: DemoStack): string {
  const users = DEMO_USERS.map((u) => `    ${u.email.padEnd(22)} ${u.password.padEnd(14)} ${u.description}`);
  const backends = stack.started.map(
    ({ name, service }) =>
      `    ${name.padEnd(11)} ${redactUrls([service.url, service.grpcUrl].filter(Boolean).join(" and "))}`,
  );
  return [
    "",
    `  Search Gateway (demo mode) on ${url}`,
    `  API docs:   ${url}/docs`,
    "  Reference backends started on loopback:",
    ...backends,
    "  Demo users (email, password):",
    ...users,
    "  Try:",
    `    TOKEN=$(curl -s ${url}/login -H 'content-type: application/json' \\`,
    `      -d '{"email":"premium@example.com","password":"premium-pass"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
    `    curl -s "${url}/search?query=iphone&limit=3" -H "authorization: Bearer $TOKEN"`,
    "",
  ].join("\n");
}
