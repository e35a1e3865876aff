import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { migrateDatabase, openDatabase, type Db } from "../../db/client";

// Databases as an older release left them, for the tests of a migration that converts data.

const MIGRATIONS = path.resolve("db/migrations");

type Journal = { entries: { idx: number; tag: string }[] };

/**
 * A fresh database migrated up to just before the migration whose tag ends with `suffix` ("_event_refs").
 * `migrateRest()` applies every later migration; `close()` removes it all.
 */
export function databaseBefore(suffix: string): { db: Db; migrateRest(): void; close(): void } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-mig-"));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS, "meta/_journal.json"), "utf8")) as Journal;
  const idx = journal.entries.find((e) => e.tag.endsWith(suffix))!.idx;
  const entries = journal.entries.filter((e) => e.idx < idx);
  const before = path.join(tmp, "before");
  fs.mkdirSync(path.join(before, "meta"), { recursive: true });
  for (const e of entries) fs.copyFileSync(path.join(MIGRATIONS, `${e.tag}.sql`), path.join(before, `${e.tag}.sql`));
  fs.writeFileSync(path.join(before, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
  const db = openDatabase(path.join(tmp, "k.db"));
  migrate(db, { migrationsFolder: before });
  return {
    db,
    migrateRest: () => migrateDatabase(db),
    close() {
      db.$client.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
