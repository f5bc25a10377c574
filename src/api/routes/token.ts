import { Elysia, t } from "elysia";
import { OAuthError } from "../../core/errors.ts";
import { clientIp, type TrustedProxies } from "../../core/security/client-ip.ts";
import { TokenResponse } from "../../models/auth.ts";
import { OAuthErrorBody, RevokeBody, TokenBody } from "../../models/session.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { SessionService } from "../../services/sessions/session-service.ts";
import { requestContext } from "../plugins/request-context.ts";
import { NO_STORE, responses } from "./responses.ts";

const oauthError = (example: string) =>
  t.Object(OAuthErrorBody.properties, {
    description: "RFC 6749 §5.2 error (application/json, not problem+json)",
    examples: [{ error: example, error_description: "The refresh token is invalid, expired or revoked." }],
  });

/**
 * The OAuth 2.0 token endpoint (RFC 6749 §3.2): the password grant (§4.3, the same login as POST /login,
 * with the same protection) and refresh (§6); and revocation (RFC 7009). The authorization server
 * metadata names this one endpoint for both grants.
 */
export function tokenRoutes(sessions: SessionService, auth: AuthService, trusted: TrustedProxies) {
  return new Elysia({ name: "routes/token" })
    .use(requestContext)
    .post(
      "/token",
      async ({ body, call, meta, request, server, set }) => {
        Object.assign(set.headers, NO_STORE);
        if (body.grant_type === "password") {
          if (!body.username || body.password === undefined)
            throw new OAuthError("invalid_request", "username and password are required.");
          const ip = clientIp(
            server?.requestIP(request)?.address,
            request.headers.get("x-forwarded-for"),
            trusted,
          );
          // A wrong email or password is InvalidCredentials, which problems.ts answers as invalid_grant here.
          const { user, ...pair } = await auth.login(
            { email: body.username, password: body.password },
            call,
            ip,
          );
          meta.userId = user.id;
          return pair;
        }
        if (body.grant_type !== "refresh_token")
          throw new OAuthError(
            "unsupported_grant_type",
            'This endpoint takes grant_type "password" or "refresh_token".',
          );
        if (!body.refresh_token) throw new OAuthError("invalid_request", "refresh_token is required.");
        return sessions.refresh(body.refresh_token, call);
      },
      {
        body: TokenBody,
        parse: ["urlencoded", "json"],
        response: responses(
          { 200: TokenResponse, 400: oauthError("invalid_grant") },
          [403, 413, 415, 429, 502, 503, 504],
        ),
        detail: {
          tags: ["auth"],
          summary: "Get tokens: the password grant, or refresh",
          operationId: "postToken",
          // Public: the grant in the body is the credential.
          security: [],
          description:
            "RFC 6749 §4.3 password grant, as a form or JSON: `grant_type=password&username=...&password=...` (the same login and protection as POST /login; a wrong email or password is `invalid_grant`). RFC 6749 §6 refresh: `grant_type=refresh_token&refresh_token=...`. The refresh token sent stops working (rotation); sending it again ends the whole session (RFC 9700 §4.14.2), except for one retry within `GATEWAY_REFRESH_GRACE` seconds, which gets the same answer again. Errors are RFC 6749 §5.2 JSON: `invalid_grant` (unknown, expired, revoked or reused token; deleted or disabled user), `invalid_request`, `unsupported_grant_type`.",
        },
      },
    )
    .post(
      "/revoke",
      async ({ body }) => {
        await sessions.revoke(body.token);
        return new Response(null, { status: 200, headers: NO_STORE });
      },
      {
        body: RevokeBody,
        parse: ["urlencoded", "json"],
        response: responses(
          {
            200: t.Void({
              description: "Revoked, or nothing to revoke: the answer is the same (RFC 7009 §2.2)",
            }),
            400: oauthError("invalid_request"),
          },
          [413, 415, 503],
        ),
        detail: {
          tags: ["auth"],
          summary: "Revoke a refresh or access token (RFC 7009)",
          operationId: "postRevoke",
          // Public (RFC 7009 §2.1 with no client authentication): the token itself is what is revoked.
          security: [],
          description:
            "Form or JSON `token` (+ optional `token_type_hint`, which is not needed: the two kinds look different). A refresh token ends its session and refuses the session's access tokens; an access token is refused from now on and ends its session too. An unknown or invalid token gets the same 200.",
        },
      },
    );
}
