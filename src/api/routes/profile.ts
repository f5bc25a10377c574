import { Elysia } from "elysia";
import { Profile } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import type { Limiter } from "../../services/limiter.ts";
import { profileOf } from "../../services/profile.ts";
import { authentication } from "../plugins/auth.ts";
import { responses } from "./responses.ts";

export function profileRoutes(auth: AuthService, limiter: Limiter) {
  return new Elysia({ name: "routes/profile" })
    .use(authentication(auth, limiter))
    .get("/profile", ({ caller, limits }) => profileOf(caller, limits), {
      auth: true,
      response: responses({ 200: Profile }, [401, 413, 429, 502, 503, 504], { rateLimited: true }),
      detail: {
        tags: ["account"],
        summary: "The caller's profile, effective plan and limits",
        operationId: "getProfile",
        description: "Counts as a request against the plan's limits, like a search.",
      },
    });
}
