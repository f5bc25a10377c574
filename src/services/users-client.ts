import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Credentials, User, VerifyCredentialsResponse } from "../models/user.ts";
import type { CallContext } from "./call-context.ts";
import { HTTPError } from "./errors.ts";
import { JsonClient, type JsonClientOptions } from "./http-client.ts";

const checkVerify = TypeCompiler.Compile(VerifyCredentialsResponse);
const checkUser = TypeCompiler.Compile(User);

/** Typed client of the Users service contract (docs/backends.md); used by the server and the CLI alike. */
export class UsersClient {
  readonly #http: JsonClient;

  constructor(options: JsonClientOptions) {
    this.#http = new JsonClient(options);
  }

  /**
   * The user, or null when the service says the credentials are wrong. `overloaded` (from the login
   * slots) says whether a time-out is the gateway's own load rather than the service failing.
   */
  async verifyCredentials(
    credentials: Credentials,
    ctx: CallContext,
    overloaded?: () => boolean,
  ): Promise<User | null> {
    try {
      const answer = await this.#http.call({
        method: "POST",
        path: "/v1/credentials/verify",
        body: { email: credentials.email, password: credentials.password },
        ctx,
        schema: checkVerify,
        ...(overloaded ? { overloaded } : {}),
      });
      return answer.user;
    } catch (error) {
      if (error instanceof HTTPError && error.response.status === 401) return null;
      throw error;
    }
  }

  /** The user, or null when the service does not know the id. */
  async getUser(id: string, ctx: CallContext): Promise<User | null> {
    try {
      const user = await this.#http.call({
        method: "GET",
        path: `/v1/users/${encodeURIComponent(id)}`,
        ctx,
        schema: checkUser,
      });
      return user.id === id ? user : null;
    } catch (error) {
      if (error instanceof HTTPError && error.response.status === 404) return null;
      throw error;
    }
  }

  health(ctx: CallContext): Promise<void> {
    return this.#http.probe("/healthz", ctx);
  }
}
