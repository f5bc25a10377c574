import { Elysia } from "elysia";
import { Profile } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { Limiter } from "../../services/limiter.ts";
import { profileOf } from "../../services/profile.ts";
import { authentication } from "../plugins/auth.ts";
import { problemResponses } from "./responses.ts";

export function profileRoutes(auth: AuthService, limiter: Limiter) {
  return new Elysia({ name: "routes/profile" })
    .use(authentication(auth, limiter))
    .get("/profile", ({ caller, limits }) => profileOf(caller, limits), {
      auth: true,
      response: {
        200: Profile,
        401: problemResponses[401],
        // The body limit applies to every request: a GET declaring a Content-Length over it is refused too.
        413: problemResponses[413],
        429: problemResponses[429],
        502: problemResponses[502],
        503: problemResponses[503],
        504: problemResponses[504],
      },
      detail: { tags: ["account"], summary: "The caller's profile, effective plan and limits" },
    });
}
