import { Elysia } from "elysia";
import { InvalidInput } from "../../core/errors.ts";
import { clientIp, type TrustedProxies } from "../../core/security/client-ip.ts";
import { LoginBody, TokenResponse } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import { requestContext } from "../plugins/request-context.ts";
import { problemResponses } from "./responses.ts";

export function loginRoutes(auth: AuthService, trusted: TrustedProxies) {
  return new Elysia({ name: "routes/login" }).use(requestContext).post(
    "/login",
    async ({ body, call, meta, request, server }) => {
      const email = body.email ?? body.username;
      if (email === undefined)
        throw new InvalidInput("The login request is not valid.", [
          { field: "email", message: "is required" },
        ]);
      const ip = clientIp(
        server?.requestIP(request)?.address,
        request.headers.get("x-forwarded-for"),
        trusted,
      );
      const issued = await auth.login({ email, password: body.password }, call, ip);
      meta.userId = issued.user.id;
      return { access_token: issued.token, token_type: "bearer" as const, expires_in: issued.expiresIn };
    },
    {
      body: LoginBody,
      // Only documents the accepted types: the body-limit plugin's parser runs first and handles both.
      parse: ["json", "urlencoded"],
      response: {
        200: TokenResponse,
        400: problemResponses[400],
        401: problemResponses[401],
        413: problemResponses[413],
        415: problemResponses[415],
        422: problemResponses[422],
        429: problemResponses[429],
        502: problemResponses[502],
        503: problemResponses[503],
        504: problemResponses[504],
      },
      detail: {
        tags: ["auth"],
        summary: "Log in and get a bearer token",
        description:
          "JSON `{email, password}` or the OAuth2 password grant's form (`username`, `password`). Unknown email and wrong password get the same 401.",
      },
    },
  );
}
