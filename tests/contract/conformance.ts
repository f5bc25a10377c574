import { compileSchema, type Validate } from "../helpers/json-schema.ts";
import type { Operation, Schema } from "./document.ts";

const compiled = new WeakMap<Schema, Validate>();
function validate(schema: Schema, value: unknown): string[] {
  let check = compiled.get(schema);
  if (!check) {
    check = compileSchema(schema);
    compiled.set(schema, check);
  }
  return check(value);
}

/** Headers whose presence is a promise of the document: sent only where it declares them. */
const DECLARED_ONLY = ["ratelimit", "ratelimit-policy", "x-cache"];

/** A header's text as the value its schema describes (headers are strings on the wire). */
function headerValue(schema: Schema, text: string): unknown {
  return schema.type === "integer" || schema.type === "number" ? Number(text) : text;
}

/**
 * What is wrong with an answer by the operation's description of it: an undeclared status, a content
 * type it does not list, a body its schema refuses, a required header missing, a header it does not
 * declare for that status, a declared header whose value breaks its schema. Empty when it conforms.
 */
export function violations(op: Operation, status: number, headers: Headers, text: string): string[] {
  const where = `${op.method} ${op.path} → ${status}`;
  const answer =
    op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
  if (!answer) return [`${where}: status not declared (${Object.keys(op.responses).join(", ")})`];
  const found: string[] = [];
  const declared = new Map(Object.entries(answer.headers ?? {}).map(([name, h]) => [name.toLowerCase(), h]));
  for (const [name, header] of declared) {
    const value = headers.get(name);
    if (value === null) {
      if (header.required) found.push(`${where}: required header ${name} missing`);
      continue;
    }
    for (const error of validate(header.schema, headerValue(header.schema, value))) {
      found.push(`${where}: header ${name}: ${JSON.stringify(value)} ${error}`);
    }
  }
  for (const name of DECLARED_ONLY) {
    if (headers.has(name) && !declared.has(name)) found.push(`${where}: header ${name} not declared`);
  }
  const content = answer.content ?? {};
  if (Object.keys(content).length === 0) {
    if (text !== "") found.push(`${where}: a body where none is declared: ${text.slice(0, 200)}`);
    return found;
  }
  const type = (headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const media = content[type];
  if (!media) return [...found, `${where}: content-type ${JSON.stringify(type)} not declared`];
  if (type === "text/event-stream") {
    // Each event as Eden's reader yields it, {event, data}, against the oneOf the document declares.
    const events = sseEvents(text);
    if (events.length === 0) found.push(`${where}: an event stream without events`);
    for (const event of events)
      for (const error of validate(media.schema, event)) found.push(`${where}: event ${error}`);
    return found;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [...found, `${where}: ${type} body is not JSON: ${text.slice(0, 200)}`];
  }
  for (const error of validate(media.schema, body)) found.push(`${where}: body ${error}`);
  return found;
}

/** The events of an SSE body (WHATWG HTML §9.2): blank-line separated, comments skipped, data as JSON. */
export function sseEvents(text: string): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  for (const block of text.split("\n\n")) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
    }
    if (data.length === 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.join("\n"));
    } catch {
      parsed = data.join("\n");
    }
    events.push({ event, data: parsed });
  }
  return events;
}
