import { z } from "zod";
import { SlugSchema } from "../../app/domain/organization";
import { listCredentialReport, type CredentialReportRow } from "../../app/models/credential-report.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, table, UserError, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional(), org: SlugSchema.optional() });

const ROTATION: Record<CredentialReportRow["rotationState"], string> = { ok: "ok", due_soon: "due soon", overdue: "OVERDUE", not_applicable: "-" };
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "-");
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const credentialsCommand: Command = {
  name: "credentials",
  summary: "The credential inventory: age against policy, rotation state, last use, status",
  help: `Usage: keyward credentials [--org SLUG] [--json]

Lists every credential (or one organisation's) by organisation and key id: status (a key past its
expiry date reads "expired"), age in days since issue or last rotation against the tier's maximum,
rotation state (ok, due_soon within 14 days, overdue), expiry, and last use (time, IP, user agent).
An unknown --org is an error (exit 1).

Options:
  --org SLUG   only this organisation's credentials
  --json       print [{keyId, org, status, grant, ageDays, rotationState, expiresAt, lastUsedAt,
               lastUsedIp, lastUsedUserAgent, label, holder, tier, maxAgeDays, rotationDueAt,
               usageState, expiryState, endpoints, environment, storage, sharedWith, issuedAt,
               lastRotatedAt, recordedStatus, orgName}] on stdout
  --help       show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { org: { type: "string" } }, Args);
    openDatabaseOrFail();
    const rows = listCredentialReport({ orgSlug: args.org });
    if (!rows) throw new UserError(`--org: no organisation with the slug ${args.org}`);
    if (args.json) {
      printJson(rows);
      return;
    }
    if (rows.length === 0) {
      print(args.org ? `${args.org} has no credentials` : "no credentials");
      return;
    }
    print(
      ...table(
        [
          ["key id", "org", "status", "age", "rotation", "expires", "last used", "ip", "user agent"],
          ...rows.map((r) => [
            r.keyId,
            r.org,
            r.status,
            `${r.ageDays}/${r.maxAgeDays}d`,
            ROTATION[r.rotationState],
            day(r.expiresAt),
            r.lastUsedAt ? day(r.lastUsedAt) : "never",
            r.lastUsedIp ?? "-",
            clip(r.lastUsedUserAgent ?? "-", 32),
          ]),
        ],
        "",
      ),
      "",
      `${rows.length} credential${rows.length === 1 ? "" : "s"}; ${rows.filter((r) => r.rotationState === "overdue").length} overdue for rotation, ${rows.filter((r) => r.rotationState === "due_soon").length} due soon, ${rows.filter((r) => r.usageState === "never_used").length} never used`,
    );
  },
};
