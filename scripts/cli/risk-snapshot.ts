import { z } from "zod";
import { takeRiskSnapshots } from "../../app/models/risk-snapshot.server";
import { rollUpUsageTotals } from "../../app/models/usage-totals.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, type Command } from "./command";

const Args = z.object({ json: z.boolean().optional(), usage: z.boolean().optional() });

export const riskSnapshotCommand: Command = {
  name: "risk-snapshot",
  summary: "Take today's risk snapshot of every organisation now (the dashboards' ranking), not waiting for the hour",
  help: `Usage: keyward risk-snapshot [--usage] [--json]

Scores every organisation (offboarded ones left out) and stores today's snapshot now, replacing the
day's earlier take. The scheduler does this once an hour; the dashboards rank organisations from a
snapshot taken within the last two hours (scoring the others live), so run this after a bulk change
(an inventory import, a policy change) to see it ranked at once. Each organisation's own page always
shows its live score.

Options:
  --usage   also roll up the daily usage totals now (the traffic charts; otherwise hourly)
  --json    print {orgs, day[, usageDays]} as JSON
  --help    show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { usage: { type: "boolean" } }, Args);
    openDatabaseOrFail();
    const now = new Date();
    const snap = takeRiskSnapshots(now, { force: true });
    const usage = args.usage ? rollUpUsageTotals(now, { force: true }) : null;
    if (args.json) printJson({ orgs: snap.orgs, day: snap.day, ...(usage ? { usageDays: usage.days } : {}) });
    else print(`risk snapshot of ${snap.orgs} organisations taken for ${snap.day}`, ...(usage ? [`usage totals rolled up: ${usage.days} days`] : []));
    return 0;
  },
};
