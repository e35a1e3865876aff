import fs from "node:fs";
import path from "node:path";
import { and, count, desc, eq, isNotNull, isNull, ne } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { credentials, logImportKeys, logImports, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { FORMATS, type LogFormat } from "~/domain/log-parse";
import { getEnv } from "~/env.server";
import { writeAudit } from "./audit.server";
import { createImportDetector } from "./detection.server";
import { importLogs, isImportLive, isImportRunningHere, LogImportError, runTrackedImport } from "./log-import.server";
import { pageWindow } from "~/domain/pagination";

// The Imports page's side of log imports (issue 6, 3a): the history, one import's report, queueing an
// uploaded file and running it in the background of the server process, resuming it.
// Imports belong to no organisation: only internal users (read:import:any) see them, checked here too.

export const IMPORT_STATUSES = ["queued", "running", "completed", "failed", "interrupted"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

const PAGE_SIZE = 25;
const KEYS_PAGE_SIZE = 50;

export const IMPORT_FORMATS = FORMATS;

export const ImportListQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1) });

export const UploadFormSchema = z.object({
  source: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(80, "At most 80 characters").optional()),
  format: z.enum(["auto", ...FORMATS], { message: `Choose auto or one of ${FORMATS.join(", ")}` }).default("auto"),
});
export type UploadForm = z.infer<typeof UploadFormSchema>;

/** Where an uploaded log waits for (and during) its import; removed once the import completes. */
export function uploadedLogPath(importId: string) {
  if (!/^[0-9a-f-]{36}$/.test(importId)) throw new Error("not an import id");
  return path.join(getEnv().KEYWARD_DATA, "uploads", `${importId}.log`);
}

type ImportRow = typeof logImports.$inferSelect;

/** The status to show: a queued or running import whose process is gone is interrupted, whatever its row says. */
export function effectiveStatus(row: Pick<ImportRow, "id" | "status" | "runnerPid" | "heartbeatAt">, now = Date.now()): ImportStatus {
  if ((row.status === "running" || row.status === "queued") && !isImportLive(row, now)) return "interrupted";
  // A failed import being resumed here is queued until its runner picks it up.
  if ((row.status === "failed" || row.status === "interrupted") && isImportRunningHere(row.id)) return "queued";
  return row.status;
}

const internal = (actor: Actor) => actor.orgId === null;

export function listImports(actor: Actor, query: { page?: number }, pageSize = PAGE_SIZE) {
  if (!internal(actor)) return { rows: [], total: 0, page: 1, pageCount: 1 };
  const db = getDb();
  const total = db.select({ n: count() }).from(logImports).get()!.n;
  const { page, pageCount } = pageWindow(total, query.page ?? 1, pageSize);
  const now = Date.now();
  const rows = db
    .select({ row: logImports, byEmail: users.email, byName: users.name })
    .from(logImports)
    .leftJoin(users, eq(users.id, logImports.createdById))
    .orderBy(desc(logImports.startedAt), desc(logImports.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all()
    .map(({ row, byEmail, byName }) => ({
      id: row.id,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      source: row.source,
      fileName: row.fileName,
      format: row.format,
      via: row.via,
      status: effectiveStatus(row, now),
      ...importCounters(row),
      by: byEmail ? { email: byEmail, name: byName } : null,
    }));
  return { rows, total, page, pageCount };
}

/** The counters an import's row carries, as the history and the report show them. */
function importCounters(row: typeof logImports.$inferSelect) {
  const { progress, lines, parsed, rejected, duplicates, matched, unmatched, secretsStripped } = row;
  return { progress, lines, parsed, rejected, duplicates, matched, unmatched, secretsStripped };
}

/** One import's report (without its key lists), or null when absent or not visible to the actor. */
export function getImport(actor: Actor, id: string) {
  if (!internal(actor)) return null;
  const db = getDb();
  const found = db
    .select({ row: logImports, byEmail: users.email, byName: users.name })
    .from(logImports)
    .leftJoin(users, eq(users.id, logImports.createdById))
    .where(eq(logImports.id, id))
    .get();
  if (!found) return null;
  const { row } = found;
  const status = effectiveStatus(row);
  const fileOnDisk = row.via === "upload" && fs.existsSync(uploadedLogPath(row.id));
  // The same file from the same source, imported to completion before: re-importing it stores nothing twice.
  const earlier = row.sha256
    ? (db
        .select({ id: logImports.id, finishedAt: logImports.finishedAt })
        .from(logImports)
        .where(and(eq(logImports.sha256, row.sha256), eq(logImports.source, row.source), eq(logImports.status, "completed"), ne(logImports.id, row.id)))
        .orderBy(desc(logImports.finishedAt))
        .get() ?? null)
    : null;
  return {
    ...row,
    status,
    by: found.byEmail ? { email: found.byEmail, name: found.byName } : null,
    fileOnDisk,
    resumable: fileOnDisk && Boolean(row.sha256) && (status === "failed" || status === "interrupted"),
    earlierImport: earlier && earlier.finishedAt && earlier.finishedAt < (row.startedAt ?? new Date()) ? earlier : null,
  };
}

/** What the report page polls while an import runs. */
export function getImportProgress(actor: Actor, id: string) {
  if (!internal(actor)) return null;
  const row = getDb().select().from(logImports).where(eq(logImports.id, id)).get();
  if (!row) return null;
  const status = effectiveStatus(row);
  return {
    id: row.id,
    status,
    done: status !== "queued" && status !== "running",
    ...importCounters(row),
    flagsRaised: row.flagsRaised,
    error: row.error,
  };
}

/** Key references of one import not tied to any registered credential (unregistered keys seen at the gateway), most used first. */
export function listUnregisteredKeys(actor: Actor, importId: string, query: { page?: number }, pageSize = KEYS_PAGE_SIZE) {
  if (!internal(actor)) return { rows: [], total: 0, page: 1, pageCount: 1 };
  const db = getDb();
  const where = and(eq(logImportKeys.importId, importId), isNull(logImportKeys.credentialId));
  const total = db.select({ n: count() }).from(logImportKeys).where(where).get()!.n;
  const { page, pageCount } = pageWindow(total, query.page ?? 1, pageSize);
  const rows = db
    .select({ keyRef: logImportKeys.keyRef, events: logImportKeys.events, successes: logImportKeys.successes, firstSeen: logImportKeys.firstSeen, lastSeen: logImportKeys.lastSeen })
    .from(logImportKeys)
    .where(where)
    .orderBy(desc(logImportKeys.events), logImportKeys.keyRef)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all()
    .map((r) => ({ ...r, firstSeen: new Date(r.firstSeen), lastSeen: new Date(r.lastSeen) }));
  return { rows, total, page, pageCount };
}

/** The registered credentials one import saw most (links from the report), at most `limit`. */
export function listMatchedCredentials(actor: Actor, importId: string, limit = 20) {
  if (!internal(actor)) return [];
  return getDb()
    .select({ keyRef: logImportKeys.keyRef, keyId: credentials.keyId, events: logImportKeys.events, successes: logImportKeys.successes, lastSeen: logImportKeys.lastSeen })
    .from(logImportKeys)
    .innerJoin(credentials, eq(credentials.id, logImportKeys.credentialId))
    .where(and(eq(logImportKeys.importId, importId), isNotNull(logImportKeys.credentialId)))
    .orderBy(desc(logImportKeys.events), logImportKeys.keyRef)
    .limit(limit)
    .all()
    .map((r) => ({ ...r, lastSeen: new Date(r.lastSeen) }));
}

export type QueuedUpload = { id: string; fileName: string; sha256: string; sizeBytes: number; source: string; format: LogFormat | "auto" };

/** Records an uploaded file as a queued import (with its audit entry). Start it with startQueuedImport(). */
export function queueUpload(ctx: ActionContext, upload: QueuedUpload) {
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    tx.insert(logImports)
      .values({
        id: upload.id,
        source: upload.source,
        format: upload.format,
        via: "upload",
        fileName: upload.fileName,
        sha256: upload.sha256,
        sizeBytes: upload.sizeBytes,
        status: "queued",
        runnerPid: process.pid,
        heartbeatAt: now,
        createdById: ctx.actor?.id ?? null,
        startedAt: now,
      })
      .run();
    writeAudit(tx, ctx, { action: "logs.import_queued", targetType: "log_import", targetId: upload.id, details: { source: upload.source, format: upload.format, fileName: upload.fileName, sha256: upload.sha256, sizeBytes: upload.sizeBytes } });
  });
}

/**
 * Runs a queued upload in this process, in the background: the caller does not wait (`void`), the page
 * polls the row. Never rejects; a failure is recorded on the row (and the uploaded file kept, for Resume).
 */
export function startQueuedImport(id: string, ctx: ActionContext): Promise<void> {
  return runUpload(id, ctx, false);
}

/**
 * Resumes a failed or interrupted upload from its last committed batch (the file must still be on disk),
 * in the background like startQueuedImport. Returns a message when it cannot.
 */
export function resumeImport(ctx: ActionContext, id: string): { ok: true } | { ok: false; message: string } {
  const actor = ctx.actor;
  if (!actor || !internal(actor)) return { ok: false, message: "Not found" };
  const report = getImport(actor, id);
  if (!report) return { ok: false, message: "Not found" };
  if (!report.resumable) {
    return { ok: false, message: report.status === "completed" || report.status === "queued" || report.status === "running" ? `This import is ${report.status}: there is nothing to resume.` : "The uploaded file is no longer on the server: upload it again." };
  }
  // A row that never left "queued" (the server stopped before its import began) starts from the top;
  // anything else continues after its last committed batch.
  const fromTop = rowStatus(id) === "queued";
  getDb().transaction((tx) => {
    // A "running" row whose process died is interrupted: record it, so that the import can take it over.
    tx.update(logImports).set({ status: "interrupted" }).where(and(eq(logImports.id, id), eq(logImports.status, "running"))).run();
    writeAudit(tx, ctx, { action: "logs.import_resume_requested", targetType: "log_import", targetId: id, details: { bytesDone: report.bytesDone, fromTop } });
  });
  void runUpload(id, ctx, !fromTop);
  return { ok: true };
}

function rowStatus(id: string) {
  return getDb().select({ status: logImports.status }).from(logImports).where(eq(logImports.id, id)).get()?.status ?? null;
}

async function runUpload(id: string, ctx: ActionContext, resume: boolean): Promise<void> {
  await runTrackedImport(id, async () => {
    const row = getDb().select().from(logImports).where(eq(logImports.id, id)).get();
    if (!row) return;
    const file = uploadedLogPath(id);
    try {
      await importLogs({
        source: row.source,
        format: row.format === "auto" ? "auto" : (row.format as LogFormat),
        via: "upload",
        filePath: file,
        ctx,
        fileName: row.fileName,
        sha256: row.sha256,
        sizeBytes: row.sizeBytes,
        ...(resume ? { resumeId: id } : { importId: id }),
        ...createImportDetector(id),
      });
      await fs.promises.rm(file, { force: true });
    } catch (error) {
      let message: string;
      if (error instanceof LogImportError) message = error.message;
      else if ((error as NodeJS.ErrnoException)?.code === "ENOENT") message = "The uploaded file is no longer on the server: upload it again.";
      else {
        console.error(`log import ${id} failed`, error);
        message = "The import stopped on an unexpected error (details in the server log). Resume it, or upload the file again.";
      }
      recordFailure(ctx, id, message, resume);
    }
  }).catch((error) => console.error(`log import ${id}: could not record its failure`, error));
}

/**
 * Records a failure the import did not get as far as recording itself (an unrecognised format, a missing
 * file): a queued import becomes failed; a resume that did not start keeps its status and shows why.
 */
function recordFailure(ctx: ActionContext, id: string, message: string, resume: boolean) {
  getDb().transaction((tx) => {
    const row = tx.select({ status: logImports.status, error: logImports.error }).from(logImports).where(eq(logImports.id, id)).get();
    if (!row) return;
    if (row.status === "queued" || row.status === "running") {
      tx.update(logImports).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(logImports.id, id)).run();
    } else if (resume && row.status !== "completed" && row.error !== message) {
      tx.update(logImports).set({ error: message }).where(eq(logImports.id, id)).run();
    } else return; // importLogs recorded it
    writeAudit(tx, ctx, { action: "logs.import_failed", targetType: "log_import", targetId: id, details: { error: message } });
  });
}
