import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { getEnv } from "../app/env.server";
import * as core from "./schema";
import * as account from "./schema-account";
import * as attestations from "./schema-attestations";
import * as dashboards from "./schema-dashboards";
import * as reviews from "./schema-reviews";
import * as triage from "./schema-triage";

const schema = { ...core, ...attestations, ...reviews, ...triage, ...account, ...dashboards };

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
/** A transaction's handle, as `db.transaction((tx) => …)` passes it. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Where a write may go: inside a caller's transaction, or the database itself. */
export type DbOrTx = Tx | Db;

const MIGRATIONS = path.resolve(process.cwd(), "db/migrations");

export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  // Log imports write in large batches: checkpoint the WAL every ~40 MB rather than every 4 MB
  // (measured: the checkpoints' fsyncs were a third of the import's time). A bigger page cache
  // measured no faster, so it stays at SQLite's default and memory stays small.
  sqlite.pragma("wal_autocheckpoint = 10000");
  return drizzle(sqlite, { schema }) as Db;
}

export function migrateDatabase(db: Db) {
  migrate(db, { migrationsFolder: MIGRATIONS });
}

declare global {
  // One connection per process, kept across dev-server rebuilds.
  var __keywardDb: Db | undefined;
}

/** The process's database: opened and migrated on first use. */
export function getDb(): Db {
  if (!globalThis.__keywardDb) {
    const db = openDatabase(getEnv().KEYWARD_DB);
    migrateDatabase(db);
    globalThis.__keywardDb = db;
  }
  return globalThis.__keywardDb;
}

export function closeDb() {
  globalThis.__keywardDb?.$client.close();
  globalThis.__keywardDb = undefined;
}
