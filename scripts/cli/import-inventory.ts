import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CSV_COLUMNS, describeRejection, INVENTORY_SECTIONS } from "../../app/domain/inventory-import";
import { importInventory, readInventoryFile } from "../../app/models/inventory-import.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, table, UserError, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  format: z.enum(["json", "csv"], { message: "must be json or csv" }).optional(),
  positionals: z.array(z.string()).length(1, "give exactly one file, e.g. keyward import-inventory inventory.json"),
});

const MAX_BYTES = 50 * 1024 * 1024;

export const importInventoryCommand: Command = {
  name: "import-inventory",
  summary: "Import organisations, users, catalog and credentials from JSON, or credentials from CSV",
  help: `Usage: keyward import-inventory <file.json|file.csv> [--dry-run] [--format json|csv] [--json]

Upserts an existing inventory: organisations by slug, users by email, models and endpoints by name,
credentials by keyId. Every row is checked first; if any row is bad, NOTHING is written, each bad
row is reported on stderr with its row number and reason, and the exit code is 1. Otherwise
everything is written in one transaction, with an audit entry per created or changed entity.
A row that changes nothing writes nothing: importing the same file twice is a no-op.

JSON (every key optional except the one that identifies the row; unknown keys are ignored):
  { "models":        [{ name, status, aliases?, description? }],
    "endpoints":     [{ name, methods, path }],
    "organizations": [{ slug, name, kind, parent?, tier, status?, agreementStart?, agreementEnd?,
                        contactEmail?, entitlements?: ["@ga" | model name] | { models, endpoints } }],
    "users":         [{ email, name?, org?, role }],
    "credentials":   [{ keyId, org, label?, holder?, grant: ["@ga" | model name], endpoints?: [names],
                        environment?, storage?, status?, issuedAt?, lastRotatedAt?, expiresAt?,
                        revokedAt?, revokedReason?, fingerprint?, sharedWith?: [contractor slugs],
                        lastUsedAt?, lastUsedIp?, lastUsedUserAgent? }] }
  Row numbers are positions in each list, from 1.

CSV: one credential per row, a header row naming the columns (any order, case-insensitive):
  ${CSV_COLUMNS.join(", ")}
  Lists (grant, endpoints, sharedWith) are separated by ";" (a "|" works too). An empty cell is
  "not given". Row numbers are spreadsheet rows: the header is row 1, the first credential row 2.
  The organisations, users and catalog it names must already exist (or come from a JSON import).

Rules: a contractor's parent is a partner and its entitlements are within the sponsor's; a grant is
within its organisation's entitlements ("@ga" = every GA model, "*" = every endpoint; a list of
entitlements grants every endpoint); a credential is shared only with contractors its organisation
sponsors; a holder with an "@" is a user of the organisation, anything else a service; dates are
ISO dates (2026-01-31, midnight UTC) or date-times (2026-01-31T09:30:00Z); revoked and expired are
final. Defaults for new rows: organisation kind partner (contractor with a parent), tier standard
(a contractor: its sponsor's), status active; credential label = keyId, endpoints *, environment
production, storage other, status active, issuedAt now. New users are "invited" with no password:
give each a link with keyward user-create --email E --role R --org SLUG.

Options:
  --dry-run      check everything and print the summary, write nothing
  --format F     json or csv (default: from the file name, else from its first character)
  --json         print {ok, file, format, sha256, organizations, users, models, endpoints, credentials,
                 rejected: [{row, section, key, reason}]} on stdout (each count {created, updated, unchanged})
  --help         show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { "dry-run": { type: "boolean" }, format: { type: "string" } }, Args, true);
    const file = args.positionals[0];
    let text: string;
    try {
      const stat = fs.statSync(file);
      if (!stat.isFile()) throw new UserError(`${file} is not a file`);
      if (stat.size > MAX_BYTES) throw new UserError(`${file} is larger than ${MAX_BYTES / 1024 / 1024} MB`);
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const read = readInventoryFile(path.basename(file), text, args.format);
    if (!read.ok) throw new UserError(`${file}: ${read.error}`);

    openDatabaseOrFail();
    const result = importInventory({ actor: null, ip: null }, read.doc, { source: { fileName: path.basename(file), format: read.format, sha256: read.sha256 }, dryRun: args.dryRun });
    const csv = read.format === "csv";
    if (args.json) {
      printJson({
        ok: result.ok,
        dryRun: result.dryRun,
        written: result.ok && !result.dryRun,
        file,
        format: read.format,
        sha256: read.sha256,
        ...result.counts,
        rejected: result.rejected.map((r) => ({ row: r.row, section: r.section, key: r.key, reason: r.reason })),
        ignoredColumns: read.ignoredColumns,
      });
    }
    if (!result.ok) {
      const n = result.rejected.length;
      process.stderr.write(
        `keyward import-inventory: ${file}: ${n} bad row${n === 1 ? "" : "s"}; nothing was imported\n${result.rejected.map((r) => `  ${describeRejection(r, csv)}\n`).join("")}`,
      );
      return 1;
    }
    if (args.json) return 0;
    const sections = INVENTORY_SECTIONS.filter((s) => !csv || s === "credentials");
    print(
      `${result.dryRun ? "checked (dry run, nothing written)" : "imported"} ${file} (${read.format}):`,
      ...table([["", "created", "updated", "unchanged"], ...sections.map((s) => [s, String(result.counts[s].created), String(result.counts[s].updated), String(result.counts[s].unchanged)])]),
    );
    if (read.ignoredColumns.length) print(`ignored columns: ${read.ignoredColumns.join(", ")}`);
    if (result.counts.users.created > 0 && !result.dryRun) print(`${result.counts.users.created} user(s) created as invited, without a password: send each a link with keyward user-create --email E --role R [--org SLUG]`);
    return 0;
  },
};
