import { Elysia } from "elysia";
import { InvalidInput } from "../../core/errors.ts";
import { clientIp, type TrustedProxies } from "../../core/security/client-ip.ts";
import { LoginBody, TokenResponse } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import { requestContext } from "../plugins/request-context.ts";
import { NO_STORE, responses } from "./responses.ts";

export function loginRoutes(auth: AuthService, trusted: TrustedProxies) {
  return new Elysia({ name: "routes/login" }).use(requestContext).post(
    "/login",
    async ({ body, call, meta, request, server, set }) => {
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
          "JSON `{email, password}` or the OAuth2 password grant's form (`username`, `password`). Unknown email and wrong password get the same 401; a disabled account a 403. Opens a session: the answer holds an access token and a refresh token for POST /token.",
      },
    },
  );
}
