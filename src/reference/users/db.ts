import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { SubscriptionName, User } from "../../models/user.ts";

/** A user as stored: the public `User` plus the hash that must never leave this service. */
export interface StoredUser {
  user: User;
  passwordHash: string;
}

export interface NewUser extends User {
  passwordHash: string;
}

export interface UsersDb {
  findById(id: string): StoredUser | null;
  /** Case-insensitive, as the column is `COLLATE NOCASE`. */
  findByEmail(email: string): StoredUser | null;
  /** Inserts unless the id or the email is taken; true when a row was written. */
  insertIfAbsent(user: NewUser): boolean;
  /** Updates only the row matching both id and email, so it can never rewrite somebody else. */
  setSubscription(
    id: string,
    email: string,
    subscription: SubscriptionName,
    expiresAt: string | null,
  ): boolean;
  /** Disables (or enables again) an account: the gateway then refuses its login, refresh and tokens. */
  setDisabled(id: string, disabled: boolean): boolean;
  count(): number;
  close(): void;
}

interface Row {
  id: string;
  email: string;
  password_hash: string;
  subscription: SubscriptionName;
  expires_at: string | null;
  disabled: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY NOT NULL,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  subscription TEXT NOT NULL CHECK (subscription IN ('free', 'premium')),
  expires_at TEXT NULL
) STRICT`;

/** Opens (creating if needed) the users database at a file path, or in memory for ":memory:". */
export function openUsersDb(path: string): UsersDb {
  const inMemory = path === ":memory:";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  if (!inMemory) {
    // WAL lets a second process (e.g. an admin shell) read while the service writes.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA busy_timeout = 5000");
  }
  db.exec(SCHEMA);
  // Databases made before accounts could be disabled get the column, every row enabled.
  const columns = db.prepare<{ name: string }, []>("PRAGMA table_info(users)").all();
  if (!columns.some((c) => c.name === "disabled"))
    db.exec("ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))");

  const byId = db.prepare<Row, [string]>("SELECT * FROM users WHERE id = ?");
  const byEmail = db.prepare<Row, [string]>("SELECT * FROM users WHERE email = ?");
  const insert = db.prepare<never, [string, string, string, SubscriptionName, string | null]>(
    `INSERT INTO users (id, email, password_hash, subscription, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const update = db.prepare<never, [SubscriptionName, string | null, string, string]>(
    "UPDATE users SET subscription = ?, expires_at = ? WHERE id = ? AND email = ?",
  );
  const disable = db.prepare<never, [number, string]>("UPDATE users SET disabled = ? WHERE id = ?");
  const countAll = db.prepare<{ n: number }, []>("SELECT count(*) AS n FROM users");

  return {
    findById: (id) => toStored(byId.get(id)),
    findByEmail: (email) => toStored(byEmail.get(email)),
    insertIfAbsent: (u) =>
      insert.run(u.id, u.email, u.passwordHash, u.subscription, u.expires_at).changes > 0,
    setSubscription: (id, email, subscription, expiresAt) =>
      update.run(subscription, expiresAt, id, email).changes > 0,
    setDisabled: (id, disabled) => disable.run(disabled ? 1 : 0, id).changes > 0,
    count: () => countAll.get()?.n ?? 0,
    close: () => db.close(),
  };
}

function toStored(row: Row | null): StoredUser | null {
  if (row === null) return null;
  return {
    user: {
      id: row.id,
      email: row.email,
      subscription: row.subscription,
      expires_at: row.expires_at,
      // Only when true, so an enabled user looks as it always did.
      ...(row.disabled === 1 ? { disabled: true } : {}),
    },
    passwordHash: row.password_hash,
  };
}
