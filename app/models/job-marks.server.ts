import { and, eq, lt, sql } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../db/client";
import { jobMarks } from "../../db/schema";
import { DAY_MS } from "~/domain/credential-policy";

// Job marks: "this was done" keys (a reminder sent, an hourly job run), so that a job run by two
// processes, or twice, acts once. Claiming a mark is an insert that a second claim cannot repeat.


/** Claims `key` (inside the caller's transaction): true when this call made the mark, false when it was there already. */
export function claimMark(tx: DbOrTx, key: string, now: Date): boolean {
  return tx.insert(jobMarks).values({ key, at: now }).onConflictDoNothing().run().changes > 0;
}

/** The mark of `job` for the period of `everyMs` containing `now` (e.g. `risk-snapshots:2026-11-30T08:00:00.000Z`). */
export function periodMark(job: string, everyMs: number, now: Date): string {
  return `${job}:${new Date(Math.floor(now.getTime() / everyMs) * everyMs).toISOString()}`;
}

export function isMarked(key: string): boolean {
  return getDb().select({ key: jobMarks.key }).from(jobMarks).where(eq(jobMarks.key, key)).get() !== undefined;
}

/** Drops `job`'s period marks older than two days: of no further use. */
export function prunePeriodMarks(tx: DbOrTx, job: string, now: Date) {
  tx.delete(jobMarks)
    .where(and(sql`${jobMarks.key} like ${`${job}:%`}`, lt(jobMarks.at, new Date(now.getTime() - 2 * DAY_MS))))
    .run();
}
