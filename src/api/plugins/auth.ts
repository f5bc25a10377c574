import { Elysia } from "elysia";
import type { Caller } from "../../models/caller.ts";
import type { AuthService } from "../../services/auth-service.ts";
import { type LimitDecision, Limiter } from "../../services/limiter.ts";
import { type RequestMeta, requestMeta } from "./request-context.ts";

/**
 * `{ auth: true }`: resolve the caller (token + fresh subscription) and charge the plan's request
 * limit, or answer 401/429. `{ identify: true }`: only the caller, for routes whose service applies the
 * limits itself (search, which also counts the day quota). Both run in the transform phase, before
 * input validation, so a client without a valid token learns nothing about the input (401 first).
 * What the limiter decided goes on the request meta before a refusal is thrown, so the RateLimit
 * headers (written when it is stored, request-context.ts) follow from it on success and on error alike.
 */
/** Puts the authenticated caller on the request's meta (the access log, the limits); gives it back. */
export function identified(meta: RequestMeta, caller: Caller): Caller {
  meta.userId = caller.user.id;
  meta.plan = caller.plan;
  meta.caller = caller;
  return caller;
}

export function authentication(auth: AuthService, limiter: Limiter) {
  // Not an async helper awaited by each hook: one async frame per request is what a hook must pay.
  const authorization = (request: Request) => request.headers.get("authorization");
  // Set by transform; resolve only runs after it succeeded, so these are present.
  const callerOf = (request: Request) => requestMeta(request).caller as Caller;
  const security = [{ bearer: [] }, { oauth2: [] }];
  return new Elysia({ name: "authentication" })
    .macro({
      auth: {
        async transform({ request }) {
          const meta = requestMeta(request);
          const caller = await auth.authenticate(authorization(request), meta.call);
          identified(meta, caller);
          const limits = await limiter.check(caller, "request");
          meta.limits = limits;
          if (!limits.allowed) throw Limiter.refusal(limits);
        },
        resolve: ({ request }) => ({
          caller: callerOf(request),
          limits: requestMeta(request).limits as LimitDecision,
        }),
        detail: { security },
      },
      identify: {
        async transform({ request }) {
          const meta = requestMeta(request);
          identified(meta, await auth.authenticate(authorization(request), meta.call));
        },
        resolve: ({ request }) => ({ caller: callerOf(request) }),
        detail: { security },
      },
    })
    .as("global");
}
