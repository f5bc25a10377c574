import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { OPENAPI_FILE, openapiFileText } from "./openapi-file.ts";

/** `npm run docs:openapi`: rewrites docs/openapi.json from the routes (a test fails while it is stale). */
const path = join(import.meta.dir, "..", "..", OPENAPI_FILE);
writeFileSync(path, await openapiFileText());
console.log(`docs:openapi: wrote ${OPENAPI_FILE}`);
