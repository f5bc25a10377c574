import { REDACTED, redactUrls } from "./security/redact-url.ts";

/**
 * Structured JSON logs, one line per event. Secrets never reach a line: fields whose name says they
 * hold one are replaced wholesale, whatever their value, and the userinfo of any URL in a message, a
 * string field or an error's message is cut out (a backend URL may carry a password).
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /pass(word)?|secret|token|authorization|cookie|credential/i;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /**
   * An `info` line whose message and fields the caller vouches for: no field name that says secret, no
   * string that may hold a URL or a credential (the gateway's own ids, enums, route patterns, numbers;
   * no Error). Serialized in one pass without the per-field redaction, because the access log writes
   * one on every request (docs/performance.md, "Issue 15: the goals, paired"). The line is the one `info`
   * would write.
   */
  infoVouched(msg: string, fields: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

// Under load a write(2) per line was a real share of each request's CPU, so lines wait for the end of
// the current turn of the event loop and leave together (as Envoy buffers access logs, but without its
// one-second delay). Nothing is lost: a large batch goes at once, and whatever is left goes on exit.
const FLUSH_BYTES = 64 * 1024;
let pending = "";
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending === "") return;
  const out = pending;
  pending = "";
  process.stdout.write(out);
}
process.on("exit", flush);

export const stdoutSink: LogSink = (line) => {
  pending += `${line}\n`;
  if (pending.length >= FLUSH_BYTES) flush();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
};

// Field names come from code, so the same few are tested again and again; remember the answers.
const secretNames = new Map<string, boolean>();
function isSecretName(key: string): boolean {
  let secret = secretNames.get(key);
  if (secret === undefined) {
    secret = SECRET_FIELD.test(key);
    if (secretNames.size < 1000) secretNames.set(key, secret);
  }
  return secret;
}

function redactInto(out: LogFields, fields: LogFields): LogFields {
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    out[key] = isSecretName(key)
      ? REDACTED
      : typeof value === "string"
        ? redactUrls(value)
        : value instanceof Error
          ? describeError(value)
          : value;
  }
  return out;
}

const redact = (fields: LogFields): LogFields => redactInto({}, fields);

// Many lines share a millisecond under load; formatting the same instant again is wasted work.
let lastMs = Number.NaN;
let lastIso = "";
function now(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function describeError(error: Error): LogFields {
  // Messages are where a URL turns up unasked: Bun's fetch names the URL it was fetching.
  const out: LogFields = { name: error.name, message: redactUrls(error.message) };
  if (error.cause instanceof Error) out.cause = describeError(error.cause);
  return out;
}

export type LogFormat = "json" | "pretty";

/** `10:04:05.123 INFO  request method=GET route=/search status=200 ...`: for a person at a terminal. */
function pretty(record: LogFields & { time: string; level: LogLevel; msg: string }): string {
  const { time, level, msg, ...rest } = record;
  const fields = Object.entries(rest).map(
    ([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`,
  );
  return [time.slice(11, 23), level.toUpperCase().padEnd(5), msg, ...fields].join(" ");
}

export function createLogger(
  level: LogLevel = "info",
  sink: LogSink = stdoutSink,
  base: LogFields = {},
  format: LogFormat = "json",
): Logger {
  const min = RANK[level];
  const write = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    // One object per line, filled in place (base is redacted already): this runs on every request.
    const record: LogFields & { time: string; level: LogLevel; msg: string } = {
      time: now(),
      level: lvl,
      msg: redactUrls(msg),
    };
    for (const key in base) record[key] = base[key];
    if (fields) redactInto(record, fields);
    sink(format === "pretty" ? pretty(record) : JSON.stringify(record));
  };
  // Only where the line is plain JSON and no base field could be repeated by a line's own.
  const oneStep = format === "json" && Object.keys(base).length === 0 && RANK.info >= min;
  const vouched = (msg: string, fields: LogFields) => {
    if (!oneStep) return write("info", msg, fields);
    const text = JSON.stringify(fields);
    const rest = text.length > 2 ? `,${text.slice(1)}` : "}";
    sink(`{"time":"${now()}","level":"info","msg":${JSON.stringify(msg)}${rest}`);
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    infoVouched: vouched,
    child: (fields) => createLogger(level, sink, { ...base, ...redact(fields) }, format),
  };
}

/** For one-off CLI commands and tests that must stay quiet. */
export const silentLogger: Logger = createLogger("error", () => {});
