import { z } from "zod";
import { backupDatabase, BackupError } from "../../app/models/backup.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, UserError, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  force: z.boolean().optional(),
  positionals: z.array(z.string()).length(1, "give exactly one destination file, e.g. keyward backup backups/keyward-2026-11-24.db"),
});

export const backup: Command = {
  name: "backup",
  summary: "Online backup of the database to a new file, checked for integrity",
  help: `Usage: keyward backup <dest.db> [--force] [--json]

Copies the live database (KEYWARD_DB) to <dest.db> with SQLite's online backup API: a consistent
snapshot, safe while the portal is running and writing. The copy is a single self-contained file;
it is opened read-only and checked with PRAGMA integrity_check before the command reports success.
Restore by stopping the portal and putting the copy in place of KEYWARD_DB.

Options:
  --force  overwrite <dest.db> if it exists (refused otherwise)
  --json   print {dest, bytes, integrity} on stdout
  --help   show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { force: { type: "boolean" } }, Args, true);
    openDatabaseOrFail();
    let result;
    try {
      result = await backupDatabase(args.positionals[0], { force: args.force });
    } catch (err) {
      if (err instanceof BackupError) throw new UserError(err.message);
      throw err;
    }
    if (args.json) printJson(result);
    else print(`backup written: ${result.dest}`, `size: ${result.bytes} bytes (${result.pages} pages)`, `integrity check: ${result.integrity}`);
  },
};
