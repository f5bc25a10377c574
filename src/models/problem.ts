import { Type } from "@sinclair/typebox";
import { type Static, t } from "elysia";

/** RFC 9457 problem details, as every error of the gateway and the reference backends is sent. */
export const Problem = t.Object({
  type: t.String({ description: "URI reference naming the kind of problem (docs/api.md lists them)" }),
  title: t.String(),
  status: Type.Integer(),
  detail: t.String(),
  request_id: t.Optional(t.String()),
  errors: t.Optional(
    t.Array(t.Object({ field: t.String(), message: t.String() }), { description: "Invalid fields, for 422" }),
  ),
});
export type Problem = Static<typeof Problem>;
