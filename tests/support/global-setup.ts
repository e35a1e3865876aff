import fs from "node:fs";
import path from "node:path";
import { migrateDatabase, openDatabase } from "../../db/client";

export const TMP = path.resolve(__dirname, "../.tmp");
export const TEMPLATE_DB = path.join(TMP, "template.db");

/** Migrates one template database; each test file copies it (tests/support/temp-db.ts). */
export default function setup() {
  fs.rmSync(TMP, { recursive: true, force: true });
  fs.mkdirSync(TMP, { recursive: true });
  const db = openDatabase(TEMPLATE_DB);
  migrateDatabase(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.pragma("journal_mode = DELETE");
  db.$client.close();
  return () => fs.rmSync(TMP, { recursive: true, force: true });
}
