import fs from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase, openDatabase } from "../../db/client";

/**
 * Migrates one template database per test run, in a folder of the run's own (so that runs in parallel
 * do not trample each other); each test file copies it (tests/support/temp-db.ts).
 */
export default function setup(project: TestProject) {
  const dir = path.resolve(__dirname, "../.tmp", `run-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const db = openDatabase(path.join(dir, "template.db"));
  migrateDatabase(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.pragma("journal_mode = DELETE");
  db.$client.close();
  project.provide("keywardTestTmp", dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    keywardTestTmp: string;
  }
}
