import { type ListenOptions, listen, type RunningService } from "../service.ts";
import { createUsersApp } from "./app.ts";
import { openUsersDb } from "./db.ts";
import { dummyPasswordHash } from "./passwords.ts";
import { seedDemoUsers } from "./seed.ts";

export { createUsersApp, type UsersApp } from "./app.ts";
export { type NewUser, openUsersDb, type StoredUser, type UsersDb } from "./db.ts";
export { hashPassword, verifyPassword } from "./passwords.ts";
export { DEMO_USERS, type DemoUser, demoExpiry, seedDemoUsers } from "./seed.ts";

export interface UsersServiceOptions extends ListenOptions {
  /** SQLite file path, or ":memory:" (the default) for a throw-away database. */
  database?: string;
}

/** Opens and seeds the database, then listens; stop() also closes the database. */
export async function startUsersService(options: UsersServiceOptions = {}): Promise<RunningService> {
  const db = openUsersDb(options.database ?? ":memory:");
  try {
    // The dummy hash is made now so that the first unknown-email login is not measurably slower.
    await Promise.all([seedDemoUsers(db), dummyPasswordHash()]);
    const service = await listen(createUsersApp(db), options);
    let stopped: Promise<void> | undefined;
    const stop = async () => {
      await service.stop();
      db.close();
    };
    return { url: service.url, port: service.port, stop: () => (stopped ??= stop()) };
  } catch (error) {
    db.close();
    throw error;
  }
}
