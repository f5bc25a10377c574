import { Elysia } from "elysia";
import type { AuthService } from "../../services/auth-service.ts";
import { requestMeta } from "./request-context.ts";

/** `{ auth: true }` on a route resolves the caller (token + fresh subscription) or answers 401. */
export function authentication(auth: AuthService) {
  return new Elysia({ name: "authentication" })
    .macro({
      auth: {
        async resolve({ request }) {
          const meta = requestMeta(request);
          const caller = await auth.authenticate(request.headers.get("authorization"), meta.call);
          meta.userId = caller.user.id;
          meta.plan = caller.plan;
          return { caller };
        },
        detail: { security: [{ bearer: [] }, { oauth2: [] }] },
      },
    })
    .as("global");
}
