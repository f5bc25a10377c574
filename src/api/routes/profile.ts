import { Elysia } from "elysia";
import { Profile } from "../../models/auth.ts";
import type { AuthService } from "../../services/auth-service.ts";
import { authentication } from "../plugins/auth.ts";
import { problemResponses, upstreamProblems } from "./responses.ts";

export function profileRoutes(auth: AuthService) {
  return new Elysia({ name: "routes/profile" }).use(authentication(auth)).get(
    "/profile",
    ({ caller }) => ({
      id: caller.user.id,
      email: caller.user.email,
      plan: caller.plan,
      subscription: caller.subscription,
      limits: caller.limits,
    }),
    {
      auth: true,
      response: { 200: Profile, 401: problemResponses[401], ...upstreamProblems },
      detail: { tags: ["account"], summary: "The caller's profile, effective plan and limits" },
    },
  );
}
