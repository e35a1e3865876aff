import { z } from "zod";
import { runScheduledJobs, type SchedulerRun } from "../../app/models/scheduler.server";
import { openDatabaseOrFail, parseCommandArgs, print, printJson, type Command } from "./command";

const Args = z.object({
  json: z.boolean().optional(),
  once: z.boolean().optional(),
  interval: z.coerce.number({ error: "give a number of seconds" }).int("give a whole number of seconds").min(1, "at least 1 second").max(86_400, "at most 86400 seconds").optional(),
});

function summary(r: SchedulerRun): string[] {
  const d = r.deliverOutbox;
  return [
    `scheduler run at ${r.at}`,
    `  expired credentials marked:  ${r.markExpired.expired}`,
    `  rotation reminders queued:   ${r.rotationReminders.sent}`,
    `  access reviews:              ${r.campaigns.created} recurred, ${r.campaigns.opened} opened, ${r.campaigns.reminders} reminders, ${r.campaigns.escalated} items escalated`,
    `  attestations requested:      ${r.attestationRequests.requested}`,
    `  attestation reminders:       ${r.attestationReminders.sent}`,
    `  webhook deliveries:          ${d.claimed} attempted, ${d.delivered} delivered, ${d.failed} to retry, ${d.dead} dead`,
    `  expired sessions purged:     ${r.purgeSessions.deleted}`,
    `  risk snapshots taken:        ${r.riskSnapshots.skipped ? "none (taken this hour)" : `${r.riskSnapshots.orgs} organisations (${r.riskSnapshots.day})`}`,
    `  usage totals rolled up:      ${r.usageTotals.skipped ? "none (rolled up this hour)" : `${r.usageTotals.days} days`}`,
  ];
}

export const scheduler: Command = {
  name: "scheduler",
  summary: "Run the due jobs: expiry, rotation reminders, webhook delivery, session purge",
  help: `Usage: keyward scheduler [--once] [--interval SECONDS] [--json]

Runs Keyward's scheduled jobs, in this order:
  1. mark expired credentials (past their expiry date) as expired, audited, with a credential.expired event
  2. queue rotation reminders: 14 days and 3 days before a credential's rotation due date, on the due
     date, then weekly while overdue; each sent once (rotation.reminder event)
  3. deliver the webhook outbox: signed POSTs, retried with exponential backoff (30 s doubling, at
     most 6 h, ±20% jitter), dead after 8 failed attempts
  4. purge expired sign-in sessions
  5. purge raw gateway events past retention
  6. once an hour: take today's risk snapshot of every organisation (replacing the day's earlier
     take; the dashboards rank from it) and roll up the daily usage totals the dashboards read
     (keyward risk-snapshot takes one at once)
Every job is idempotent: running it twice in the same period does nothing the second time, so
several schedulers (or a cron entry calling --once) are safe.

Without --once it runs the jobs, waits, and runs them again until stopped with Ctrl-C or SIGTERM; a
stop request lets the current run finish first.

Options:
  --once              run every due job once, print the counts, and exit
  --interval SECONDS  wait between runs in the loop (default 60)
  --json              print each run's counts as JSON ({at, markExpired, rotationReminders,
                      deliverOutbox, purgeSessions}; one object per line in the loop)
  --help              show this help`,
  async run(argv) {
    const args = parseCommandArgs(argv, { once: { type: "boolean" }, interval: { type: "string" } }, Args);
    openDatabaseOrFail();
    const report = (r: SchedulerRun) => (args.json ? (args.once ? printJson(r) : process.stdout.write(`${JSON.stringify(r)}\n`)) : print(...summary(r)));

    if (args.once) {
      report(await runScheduledJobs(new Date()));
      return 0;
    }

    const intervalMs = (args.interval ?? 60) * 1000;
    let stopping = false;
    let wake: (() => void) | null = null;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`keyward scheduler: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`keyward scheduler: ${signal} received, stopping after the current run\n`);
      wake?.();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (!args.json) print(`keyward scheduler: running every ${intervalMs / 1000} s; Ctrl-C to stop`);
    try {
      while (!stopping) {
        try {
          report(await runScheduledJobs(new Date()));
        } catch (err) {
          // One failed run (a locked database, a bug in one job) must not stop the loop: say so and try again next time.
          process.stderr.write(`keyward scheduler: run failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
        if (stopping) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    }
    if (!args.json) print("keyward scheduler: stopped");
    return 0;
  },
};
