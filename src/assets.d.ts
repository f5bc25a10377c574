// `import x from "..." with { type: "file" }` yields a path that Bun.file() can open, in the compiled binary too.
declare module "swagger-ui-dist/swagger-ui-bundle.js" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/swagger-ui.css" {
  const path: string;
  export default path;
}
declare module "swagger-ui-dist/favicon-32x32.png" {
  const path: string;
  export default path;
}
// `import x from "....proto" with { type: "text" }` yields the file's text, embedded in the compiled binary.
declare module "*.proto" {
  const source: string;
  export default source;
}
