import { z } from "zod";
import { listCampaignsForCli } from "../../app/models/campaign-progress.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, table, type Command } from "./command";

const STATUSES = ["scheduled", "open", "closed"] as const;
const Args = z.object({ json: z.boolean().optional(), status: z.enum(STATUSES, { message: `--status is one of ${STATUSES.join(", ")}` }).optional() });

export const campaignsCommand: Command = {
  name: "campaigns",
  summary: "Access review campaigns with their progress, newest first",
  help: `Usage: keyward campaigns [--status S] [--json]

Lists the access review campaigns, newest first: name, status, mode, opening and due dates, items
decided out of the total, items overdue (no final decision after the due date) and revocations.

Options:
  --status S   ${STATUSES.join(" | ")}
  --json       print [{ id, name, status, mode, opensOn, dueOn, recurrenceDays, total, decided,
               overdueItems, revocations, closedAt }] on stdout
  --help       show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { status: { type: "string" } }, Args);
    openDatabaseOrFail();
    const rows = listCampaignsForCli(args.status);
    if (args.json) {
      printJson(rows);
      return;
    }
    if (rows.length === 0) {
      print("no campaigns");
      return;
    }
    print(...table([["opens", "due", "status", "decided", "overdue", "revoked", "name"], ...rows.map((r) => [r.opensOn, r.dueOn, r.status, `${r.decided}/${r.total}`, String(r.overdueItems), String(r.revocations), r.name])]));
  },
};
