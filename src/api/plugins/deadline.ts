import { Elysia } from "elysia";
import { requestMeta } from "./request-context.ts";

/** Starts each request's deadline on arrival; every backend call then takes its timeout from what is left. */
export function deadline(deadlineMs: number) {
  return new Elysia({ name: "deadline", seed: deadlineMs })
    .onRequest(({ request }) => {
      requestMeta(request).call.deadline = Date.now() + deadlineMs;
    })
    .as("global");
}
