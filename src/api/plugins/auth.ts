import { Elysia } from "elysia";
import type { AuthService } from "../../services/auth-service.ts";
import { Limiter } from "../../services/limiter.ts";
import { rateLimitHeaders } from "../rate-limit-headers.ts";
import { requestMeta } from "./request-context.ts";

/**
 * `{ auth: true }`: resolve the caller (token + fresh subscription) and charge the plan's request
 * limit, or answer 401/429. `{ identify: true }`: only the caller, for routes whose service applies the
 * limits itself (search, which also counts the day quota). Either way the RateLimit headers follow
 * from what the limiter decided, on success and on error alike.
 */
export function authentication(auth: AuthService, limiter: Limiter) {
  const identify = async (request: Request) => {
    const meta = requestMeta(request);
    const caller = await auth.authenticate(request.headers.get("authorization"), meta.call);
    meta.userId = caller.user.id;
    meta.plan = caller.plan;
    return { caller, meta };
  };
  const security = [{ bearer: [] }, { oauth2: [] }];
  return new Elysia({ name: "authentication" })
    .macro({
      auth: {
        async resolve({ request }) {
          const { caller, meta } = await identify(request);
          const limits = await limiter.check(caller, "request");
          meta.call.limits = limits;
          if (!limits.allowed) throw Limiter.refusal(limits);
          return { caller, limits };
        },
        detail: { security },
      },
      identify: {
        async resolve({ request }) {
          const { caller } = await identify(request);
          return { caller };
        },
        detail: { security },
      },
    })
    .onAfterHandle(({ request, set }) => {
      const limits = requestMeta(request).call.limits;
      if (limits) Object.assign(set.headers, rateLimitHeaders(limits));
    })
    .as("global");
}
