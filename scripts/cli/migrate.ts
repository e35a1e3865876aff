import { z } from "zod";
import { migrateDatabase, openDatabase, type Db } from "../../db/client";
import { getEnv } from "../../app/env.server";
import { ensureDefaultPolicies, listPolicies } from "../../app/models/policy.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional() });

/** Rows in drizzle's migration ledger (0 before the first migration). */
function appliedMigrations(db: Db): number {
  try {
    return (db.$client.prepare("select count(*) as n from __drizzle_migrations").get() as { n: number }).n;
  } catch {
    return 0;
  }
}

export const migrate: Command = {
  name: "migrate",
  summary: "Create or upgrade the database schema and write the default policies",
  help: `Usage: keyward migrate [--json]

Opens the database named by KEYWARD_DB (creating it if needed), applies the migrations in
db/migrations that it has not seen yet, and writes the default policy of each tier that has none.
Safe to run any number of times, also while the portal is running.

Options:
  --json   print {db, migrationsApplied, migrationsTotal, policies} on stdout
  --help   show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, {}, Args);
    const file = getEnv().KEYWARD_DB;
    let applied: number;
    let total: number;
    try {
      const db = openDatabase(file);
      try {
        const before = appliedMigrations(db);
        migrateDatabase(db);
        total = appliedMigrations(db);
        applied = total - before;
      } finally {
        db.$client.close();
      }
    } catch (err) {
      throw new UserError(`cannot migrate the database ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    openDatabaseOrFail();
    ensureDefaultPolicies();
    const policies = listPolicies();
    if (args.json) {
      printJson({ db: file, migrationsApplied: applied, migrationsTotal: total, policies });
      return;
    }
    print(
      `database: ${file}`,
      applied === 0 ? `migrations: up to date (${total} applied)` : `migrations: applied ${applied} (${total} in total)`,
      `policies: defaults in place for ${policies.map((p) => `${p.tier} (max credential age ${p.maxCredentialAgeDays} d)`).join(", ")}`,
    );
  },
};
