import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";
import { REQUEST_ID_MAX_LENGTH } from "./search.ts";

/** toProblem (problems.ts) cuts what it sends to these bounds: a detail may quote the client's path. */
export const PROBLEM_DETAIL_MAX_LENGTH = 2000;
export const PROBLEM_ERRORS_MAX_ITEMS = 100;
export const FIELD_ERROR_MAX_LENGTH = 500;

/** RFC 9457 problem details, as every error of the gateway and the reference backends is sent. */
export const Problem = t.Object({
  type: t.String({
    maxLength: 200,
    description: "URI reference naming the kind of problem (docs/api.md lists them)",
  }),
  title: t.String({ maxLength: 100 }),
  status: Type.Integer({ minimum: 400, maximum: 599 }),
  detail: t.String({ maxLength: PROBLEM_DETAIL_MAX_LENGTH }),
  request_id: t.Optional(t.String({ maxLength: REQUEST_ID_MAX_LENGTH })),
  errors: t.Optional(
    t.Array(
      t.Object({
        field: t.String({ maxLength: FIELD_ERROR_MAX_LENGTH }),
        message: t.String({ maxLength: FIELD_ERROR_MAX_LENGTH }),
      }),
      { maxItems: PROBLEM_ERRORS_MAX_ITEMS, description: "Invalid fields, for 422" },
    ),
  ),
});
export type Problem = Static<typeof Problem>;
