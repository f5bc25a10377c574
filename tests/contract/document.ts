import type { GatewayApp } from "../../src/app.ts";
import { ORIGIN } from "../helpers/http.ts";

/** The parts of an OpenAPI 3.1 document the contract tests read, after `$ref`s are resolved. */
export type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  examples?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
};
export type Parameter = { name: string; in: string; required?: boolean; schema: Schema };
export type Header = { required?: boolean; schema: Schema };
export type Answer = { content?: Record<string, { schema: Schema }>; headers?: Record<string, Header> };
export type Operation = {
  method: string;
  path: string;
  operationId: string;
  security: unknown[];
  parameters: Parameter[];
  body?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, Answer>;
};

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

/** Replaces every local `$ref` by what it names (the document has no cycles: a cycle would throw). */
function resolve(node: unknown, root: unknown, seen: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((item) => resolve(item, root, seen));
  if (node === null || typeof node !== "object") return node;
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref === "string") {
    if (!ref.startsWith("#/") || seen.includes(ref)) throw new Error(`unresolvable $ref ${ref}`);
    let target: unknown = root;
    for (const part of ref.slice(2).split("/")) {
      target = (target as Record<string, unknown> | undefined)?.[
        part.replaceAll("~1", "/").replaceAll("~0", "~")
      ];
    }
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    return resolve(target, root, [...seen, ref]);
  }
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, resolve(value, root, seen)]));
}

/** Every operation of the document the app serves at /docs/json, `$ref`s resolved. */
export async function servedOperations(app: GatewayApp): Promise<Operation[]> {
  const response = await app.handle(new Request(`${ORIGIN}/docs/json`));
  if (response.status !== 200) throw new Error(`/docs/json answered ${response.status}`);
  const raw = await response.json();
  const document = resolve(raw, raw) as {
    security?: unknown[];
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as
        | (Omit<Operation, "method" | "path" | "body" | "security"> & {
            security?: unknown[];
            requestBody?: Operation["body"];
          })
        | undefined;
      if (!op) continue;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        security: op.security ?? document.security ?? [],
        parameters: op.parameters ?? [],
        ...(op.requestBody ? { body: op.requestBody } : {}),
        responses: op.responses,
      });
    }
  }
  return operations;
}
