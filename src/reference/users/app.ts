import { Elysia } from "elysia";
import { Credentials, type User, type VerifyCredentialsResponse } from "../../models/user.ts";
import { problemErrors, problemResponse } from "../problem.ts";
import { requestIdEcho } from "../request-id.ts";
import type { UsersDb } from "./db.ts";
import { verifyPassword } from "./passwords.ts";

// Any UUID version: ids are opaque to callers; the check only keeps junk from reaching the database.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The Users service's HTTP surface over an already opened (and, if wanted, seeded) database. */
export function createUsersApp(db: UsersDb) {
  return new Elysia()
    .use(requestIdEcho)
    .use(problemErrors)
    .get("/healthz", () => ({ status: "ok" as const }))
    .post(
      "/v1/credentials/verify",
      async ({ body, request }) => {
        const stored = db.findByEmail(body.email);
        const ok = await verifyPassword(body.password, stored?.passwordHash ?? null);
        if (stored === null || !ok) {
          // One body for unknown email and wrong password, so the answer does not reveal which it was.
          return problemResponse({
            status: 401,
            slug: "invalid-credentials",
            title: "Invalid credentials",
            detail: "The email or password is incorrect.",
            request,
          });
        }
        return { user: stored.user } satisfies VerifyCredentialsResponse;
      },
      { body: Credentials },
    )
    .get("/v1/users/:id", ({ params, request }) => {
      const stored = UUID.test(params.id) ? db.findById(params.id.toLowerCase()) : null;
      if (stored === null) {
        return problemResponse({
          status: 404,
          slug: "user-not-found",
          title: "User not found",
          detail: "No user has this id.",
          request,
        });
      }
      return stored.user satisfies User;
    });
}

export type UsersApp = ReturnType<typeof createUsersApp>;
