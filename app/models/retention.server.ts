import { asc, inArray, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { deleteEventStrings, findUnusedEventStrings } from "../../db/event-store";
import { logEventRows } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { RAW_EVENT_RETENTION_DAYS, retentionCutoff } from "~/domain/retention";
import { writeAudit } from "./audit.server";

// Retention of raw gateway events (issue 6 point 7), run by the scheduler. Events older than the
// retention are deleted oldest first, a chunk per transaction, walking the (ts, event_key) index, so
// the database is never locked for long and the web process's writes get in between chunks. A run that
// purged its last events then deletes the event strings (addresses, paths, user agents…) no event uses
// any more: found in a read transaction (a pass over every event, without the write lock), deleted in a
// short write transaction with their own audit row.
//
// Kept: per-credential daily usage (credential_usage_daily: requests and errors) and the daily
// distinct source IPs (credential_daily_ips): the issue keeps "requests, errors, distinct IPs" for
// timelines and baselines, and credential_daily_ips is where the distinct IPs live (a day's set per
// credential, far smaller than the events). Also kept: the imports' reports (log_imports,
// log_import_keys). If addresses must go too, a distinct-IP count per usage day lets that table be
// purged with the events; that is a schema change for later.

export const PURGE_CHUNK = 10_000;
/** At most this many chunks per run (5M events): a first run on a large backlog finishes over several runs. */
export const PURGE_MAX_CHUNKS = 500;

export type RetentionRun = { deleted: number; stringsDeleted: number; cutoff: string; retentionDays: number; more: boolean };

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Deletes raw events older than `retentionDays` before `now`, in chunks. Idempotent: a second run finds
 * nothing. One audit row (actor: the system) per run that purged something, written in the same
 * transaction as its last chunk.
 */
export async function purgeOldEvents(
  now: Date,
  opts: { retentionDays?: number; chunkSize?: number; maxChunks?: number } = {},
): Promise<RetentionRun> {
  const retentionDays = opts.retentionDays ?? RAW_EVENT_RETENTION_DAYS;
  const chunkSize = opts.chunkSize ?? PURGE_CHUNK;
  const maxChunks = opts.maxChunks ?? PURGE_MAX_CHUNKS;
  const cutoff = retentionCutoff(now, retentionDays);
  const ctx: ActionContext = { actor: null, ip: null, now };
  const db = getDb();
  let deleted = 0;
  let stringsDeleted = 0;
  let chunks = 0;
  let full = true; // the last chunk was full: there may be more
  while (full && chunks < maxChunks) {
    chunks++;
    const lastAllowed = chunks === maxChunks;
    db.transaction((tx) => {
      const oldest = tx.select({ id: logEventRows.id }).from(logEventRows).where(lt(logEventRows.ts, cutoff)).orderBy(asc(logEventRows.ts)).limit(chunkSize);
      const n = tx.delete(logEventRows).where(inArray(logEventRows.id, oldest)).run().changes;
      deleted += n;
      full = n === chunkSize;
      if ((!full || lastAllowed) && deleted > 0) {
        writeAudit(tx, ctx, {
          action: "logs.retention_purged",
          targetType: "log_events",
          details: { deleted, olderThan: new Date(cutoff).toISOString(), retentionDays, chunks, more: full },
        });
      }
    });
    if (full && !lastAllowed) await yieldToEventLoop();
  }
  if (deleted > 0 && !full) {
    const unused = findUnusedEventStrings(db.$client);
    if (unused.ids.length) {
      db.transaction((tx) => {
        stringsDeleted = deleteEventStrings(db.$client, unused);
        if (stringsDeleted > 0) writeAudit(tx, ctx, { action: "logs.event_strings_purged", targetType: "event_strings", details: { deleted: stringsDeleted } });
      });
    }
  }
  return { deleted, stringsDeleted, cutoff: new Date(cutoff).toISOString(), retentionDays, more: full && deleted > 0 };
}
