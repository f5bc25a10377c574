import { Elysia } from "elysia";
import { InvalidInput, UnsupportedGrantType } from "../../core/errors.ts";
import { clientIp, type TrustedProxies } from "../../core/security/client-ip.ts";
import { LoginBody, TokenResponse } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import { requestContext } from "../plugins/request-context.ts";
import { NO_STORE, responses } from "./responses.ts";

export function loginRoutes(auth: AuthService, trusted: TrustedProxies) {
  return new Elysia({ name: "routes/login" }).use(requestContext).post(
    "/login",
    async ({ body, call, meta, request, server, set }) => {
      if (body.grant_type !== undefined && body.grant_type !== "password")
        throw new UnsupportedGrantType('This endpoint takes grant_type "password" (or none).');
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
      const { user, ...pair } = await auth.login({ email, password: body.password }, call, ip);
      meta.userId = user.id;
      // RFC 6749 §5.1: an answer holding tokens is never stored by a cache.
      Object.assign(set.headers, NO_STORE);
      return pair;
    },
    {
      body: LoginBody,
      // Only documents the accepted types: the body-limit plugin's parser runs first and handles both.
      parse: ["json", "urlencoded"],
      response: responses({ 200: TokenResponse }, [400, 401, 403, 413, 415, 422, 429, 502, 503, 504]),
      detail: {
        tags: ["auth"],
        summary: "Log in and get a bearer token",
        operationId: "postLogin",
        // Public: this is where a client gets its credentials.
        security: [],
        description:
          "JSON `{email, password}` or the OAuth2 password grant's form (`username`, `password`). Unknown email and wrong password get the same 401; a disabled account a 403. A form login is the password grant of RFC 6749 §4.3: its bad input, wrong credentials and other grant types are RFC 6749 §5.2 JSON errors (400 `invalid_request`, `invalid_grant`, `unsupported_grant_type`) instead of problem+json. Opens a session: the answer holds an access token and a refresh token for POST /token.",
      },
    },
  );
}
