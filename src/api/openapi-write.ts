import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENAPI_FILE, openapiFileText } from "./openapi-file.ts";

/**
 * `npm run docs:openapi`: rewrites docs/openapi.json from the routes (a test fails while it is stale).
 * `--stdout` prints it instead: the test runs this in a fresh process, because Elysia adds keywords to
 * shared schemas once they have validated a request, and a test process has sent many.
 */
const text = await openapiFileText();
if (process.argv.includes("--stdout")) process.stdout.write(text);
else {
  writeFileSync(join(import.meta.dir, "..", "..", OPENAPI_FILE), text);
  console.log(`docs:openapi: wrote ${OPENAPI_FILE}`);
}
