import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { call, DEMO, json } from "../helpers/http.ts";
import { type Stack, startStack } from "../helpers/stack.ts";
import { tokenFor } from "../helpers/tokens.ts";
import { violations } from "./conformance.ts";
import { type Operation, servedOperations } from "./document.ts";
import { arbitrary, type Input, invalidInputs, sample, toRequest } from "./requests.ts";

/**
 * Contract tests generated from the document the gateway serves: for every operation a valid request
 * (real credentials, so that it succeeds), requests that break one rule of its schemas each, and a few
 * random valid-by-schema ones; every answer must be one the document describes. Fixed seed (fast-check
 * prints it with a failure); CONTRACT_SEED replays another.
 */
const SEED = Number(process.env.CONTRACT_SEED ?? 16);
const RANDOM_RUNS = 15;

let stack: Stack;
let operations: Operation[];
let bearer: string;
const refresh: Record<"token" | "revoke", string> = { token: "", revoke: "" };
let logoutBearer: string;

async function login(who: { email: string; password: string }) {
  const { status, body } = await call(stack.app, json("/login", who));
  if (status !== 200) throw new Error(`login of ${who.email} answered ${status}`);
  return body as { access_token: string; refresh_token: string };
}

beforeAll(async () => {
  // A public URL, so that the authorization server metadata is served (without one it is a 404).
  stack = await startStack({ flags: { publicUrl: "http://localhost" } });
  operations = await servedOperations(stack.app);
  bearer = await tokenFor(stack, DEMO.premium);
  refresh.token = (await login(DEMO.premium)).refresh_token;
  refresh.revoke = (await login(DEMO.premium)).refresh_token;
  // Logout needs a session of its own: the free user's, so the premium tokens above stay live.
  logoutBearer = (await login(DEMO.free)).access_token;
});
afterAll(() => stack.close());

/** Body fields that only real credentials make valid, by operation. */
function credentials(operationId: string): Record<string, unknown> {
  switch (operationId) {
    case "postLogin":
      return { ...DEMO.premium };
    case "postToken":
      return { grant_type: "refresh_token", refresh_token: refresh.token };
    case "postRevoke":
      return { token: refresh.revoke, token_type_hint: "refresh_token" };
    default:
      return {};
  }
}

function authorization(op: Operation): Record<string, string> {
  if (op.security.length === 0) return {};
  return { authorization: `Bearer ${op.operationId === "postLogout" ? logoutBearer : bearer}` };
}

function validInput(op: Operation): Input {
  const query = Object.fromEntries(
    op.parameters.filter((p) => p.in === "query" && p.required).map((p) => [p.name, sample(p.schema)]),
  );
  const input: Input = { query, headers: authorization(op) };
  // JSON where the operation takes it: a form cannot carry a wrong type, every value is a string there.
  const media =
    op.body && (op.body.content["application/json"] ? "application/json" : Object.keys(op.body.content)[0]);
  if (op.body && media) {
    const schema = op.body.content[media]?.schema ?? {};
    input.media = media;
    input.body = { ...(sample(schema) as Record<string, unknown>), ...credentials(op.operationId) };
  }
  return input;
}

async function answer(op: Operation, input: Input) {
  const response = await stack.app.handle(toRequest(op, input));
  const text = await response.text();
  return { status: response.status, problems: violations(op, response.status, response.headers, text) };
}

describe("contract: every answer is one the served document describes", () => {
  test("the document has operations to walk", () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) expect(op.operationId).toBeString();
  });

  // Operations are listed at load time from the checked-in document's names, walked from the served one.
  const ids = Object.values(
    (require("../../docs/openapi.json") as { paths: Record<string, Record<string, { operationId: string }>> })
      .paths,
  ).flatMap((item) => Object.values(item).map((op) => op.operationId));

  for (const id of ids) {
    test(`${id}: invalid requests are refused as declared, the valid one succeeds, random ones conform`, async () => {
      const op = operations.find((o) => o.operationId === id);
      if (!op) throw new Error(`${id} is not in the served document`);
      const valid = validInput(op);
      const found: string[] = [];
      // Invalid first: a request refused must not have spent the credentials the valid one uses.
      for (const { why, input } of invalidInputs(op, valid)) {
        const { status, problems } = await answer(op, input);
        found.push(...problems.map((p) => `${why}: ${p}`));
        if (status < 400 || status >= 500) found.push(`${why}: answered ${status}, not a 4xx`);
      }
      const { status, problems } = await answer(op, valid);
      found.push(...problems.map((p) => `valid: ${p}`));
      if (status >= 300) found.push(`valid: answered ${status}`);

      const query = op.parameters.filter((p) => p.in === "query" || p.in === "header");
      const media = valid.media;
      const random = fc.record({
        query: fc.record(
          Object.fromEntries(query.filter((p) => p.in === "query").map((p) => [p.name, arbitrary(p.schema)])),
          { requiredKeys: query.filter((p) => p.in === "query" && p.required).map((p) => p.name) },
        ),
        headers: fc.record(
          Object.fromEntries(
            query.filter((p) => p.in === "header").map((p) => [p.name, arbitrary(p.schema)]),
          ),
          { requiredKeys: [] },
        ),
        body: media && op.body ? arbitrary(op.body.content[media]?.schema ?? {}) : fc.constant(undefined),
      });
      await fc.assert(
        fc.asyncProperty(random, async (drawn) => {
          const input: Input = {
            query: drawn.query,
            headers: { ...(drawn.headers as Record<string, string>), ...authorization(op) },
            ...(media ? { media, body: drawn.body as Record<string, unknown> } : {}),
          };
          const { problems: randomProblems } = await answer(op, input);
          expect(randomProblems).toEqual([]);
        }),
        { seed: SEED, numRuns: RANDOM_RUNS },
      );
      expect(found).toEqual([]);
    });
  }
});
