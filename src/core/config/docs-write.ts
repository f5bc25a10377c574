import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedDocs, renderDoc } from "./docs.ts";

/** `npm run docs:config`: rewrites the generated regions of the docs from the settings. */
const root = join(import.meta.dir, "..", "..", "..");
for (const file of Object.keys(generatedDocs)) {
  const path = join(root, file);
  const text = readFileSync(path, "utf8");
  const rendered = renderDoc(file, text);
  if (rendered === text) continue;
  writeFileSync(path, rendered);
  console.log(`docs:config: rewrote ${file}`);
}
