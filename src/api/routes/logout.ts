import { Elysia, t } from "elysia";
import type { VerifiedClaims } from "../../core/security/tokens.ts";
import { LogoutQuery } from "../../models/session.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { SessionService } from "../../services/sessions/session-service.ts";
import { requestContext } from "../plugins/request-context.ts";
import { responses } from "./responses.ts";

/**
 * Ends the caller's session. Only the token is checked (not the Users service, not the plan's request
 * limit): logging out must work while a backend is down or the minute's requests are used up.
 */
export function logoutRoutes(auth: AuthService, sessions: SessionService) {
  const verified = new WeakMap<Request, VerifiedClaims>();
  return new Elysia({ name: "routes/logout" }).use(requestContext).post(
    "/logout",
    async ({ query, request }) => {
      const claims = verified.get(request) as VerifiedClaims;
      await sessions.logout(claims, query.all === true);
      return new Response(null, { status: 204 });
    },
    {
      // Before validation, as the auth plugin does: without a valid token, the query is not looked at (401 first).
      async transform({ request, meta }) {
        const claims = await auth.claims(request.headers.get("authorization"));
        meta.userId = claims.sub;
        verified.set(request, claims);
      },
      query: LogoutQuery,
      response: responses({ 204: t.Void({ description: "Logged out" }) }, [401, 422, 503]),
      detail: {
        tags: ["auth"],
        summary: "Log out: end this session (or, with ?all=true, every session of the user)",
        operationId: "postLogout",
        description:
          "Its refresh token stops working and its access tokens, this one included, are refused by every gateway instance from now on.",
        security: [{ bearer: [] }, { oauth2: [] }],
      },
    },
  );
}
