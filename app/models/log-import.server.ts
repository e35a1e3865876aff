import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "../../db/client";
import { prepareEventStore, type EventRow } from "../../db/event-store";
import { credentialRotations, credentials, logImportKeys, logImports } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { compileCatalog } from "~/domain/catalog-match";
import { eventKey } from "~/domain/event-key";
import type { CanonicalEvent } from "~/domain/log-event";
import type { JsonlMap } from "~/domain/log-formats/jsonl";
import { detectFormat, parserFor, type LogFormat } from "~/domain/log-parse";
import { LogInputError, readLogLines, type LogLine } from "~/log-input.server";
import { writeAudit } from "./audit.server";
import { listEndpoints, listModels } from "./catalog.server";

// The import pipeline (DESIGN "Data flow of an import"): bytes → lines → format parser → canonical
// event → batch → one transaction (insert events, usage, key references, last use, the import's
// counters and its committed offset) → next batch. Memory is flat: one batch and a few bounded maps.
// Idempotent: events are keyed by eventKey(); resumable: a re-run of the same file continues after
// the last committed offset of its unfinished import.

export const BATCH_EVENTS = 20_000;
const DETECT_LINES = 5;
const WRONG_FORMAT_LINES = 20;
const MAX_SAMPLES = 50;
const STALE_MS = 10 * 60_000;

export type ImportInput = {
  source: string;
  format: LogFormat | "auto";
  via: "upload" | "cli" | "push";
  input: AsyncIterable<Buffer | string>;
  ctx: ActionContext;
  fileName?: string | null;
  sha256?: string | null; // of the whole input, when it is a file: enables resuming
  sizeBytes?: number | null;
  /** Refuse input larger than this once decompressed (the push API's guard against gzip bombs). */
  maxDecompressedBytes?: number;
  map?: JsonlMap;
  importId?: string; // a queued row created by the upload page
  resumeId?: string; // resume exactly this failed or interrupted import of the same file (the Imports page's Resume button)
  onProgress?: (p: { lines: number; rawBytes: number }) => void;
  /** Called inside each batch's transaction with the events stored by it (detection hooks in here). Returns flags raised. */
  onBatch?: (events: StoredEvent[]) => number;
  /** Called once after the last batch, inside the transaction that marks the import completed (detection's baselines). */
  onComplete?: () => void;
};

/** A stored event as detection sees it: the row plus the secret fields stripped from its line (secret_in_logs). */
export type StoredEvent = EventRow & { secretsStripped?: readonly string[] };

export type ImportSummary = {
  importId: string;
  format: LogFormat;
  resumed: boolean;
  lines: number;
  parsed: number;
  rejected: number;
  rejectedSamples: { line: number; reason: string }[];
  duplicates: number;
  matched: number;
  unmatched: number;
  unregisteredKeys: { keyRef: string; events: number; successes: number }[];
  secretsStripped: number;
  secretFields: Record<string, number>;
  flagsRaised: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
  seconds: number;
};

export class LogImportError extends LogInputError {
  constructor(
    message: string,
    readonly importId: string | null = null,
  ) {
    super(message);
  }
}

type KeyIndex = { byKeyId: Map<string, string>; byFingerprint: Map<string, string> };

/** Every key id and fingerprint the gateway may log, current or rotated away, mapped to its credential. */
function loadKeyIndex(): KeyIndex {
  const db = getDb();
  const byKeyId = new Map<string, string>();
  const byFingerprint = new Map<string, string>();
  for (const r of db.select({ id: credentialRotations.credentialId, k: credentialRotations.oldKeyId, f: credentialRotations.oldFingerprint }).from(credentialRotations).all()) {
    byKeyId.set(r.k, r.id);
    if (r.f) byFingerprint.set(r.f, r.id);
  }
  for (const r of db.select({ id: credentials.id, k: credentials.keyId, f: credentials.fingerprint }).from(credentials).all()) {
    byKeyId.set(r.k, r.id);
    if (r.f) byFingerprint.set(r.f, r.id);
  }
  return { byKeyId, byFingerprint };
}

export function processAlive(pid: number | null) {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

declare global {
  // Imports this process is working on (id → nesting count). On globalThis so that a dev-server rebuild
  // or a second copy of this module in the same process (tests) shares it.
  var __keywardImportsHere: Map<string, number> | undefined;
}
const importsHere = (globalThis.__keywardImportsHere ??= new Map<string, number>());
function track(id: string) {
  importsHere.set(id, (importsHere.get(id) ?? 0) + 1);
}
function untrack(id: string) {
  const n = (importsHere.get(id) ?? 0) - 1;
  if (n > 0) importsHere.set(id, n);
  else importsHere.delete(id);
}

/** Whether this process is running (or about to run) the import. */
export function isImportRunningHere(id: string) {
  return importsHere.has(id);
}

/** Runs `work` with the import marked as being worked on by this process (from before its row says "running"). */
export async function runTrackedImport<T>(id: string, work: () => Promise<T>): Promise<T> {
  track(id);
  try {
    return await work();
  } finally {
    untrack(id);
  }
}

/**
 * Whether a queued or running import is really being worked on: by this process (tracked in memory, so a
 * restarted server that happens to get the dead one's pid is not fooled), or by another live process
 * (the CLI) that committed a batch recently. Otherwise its process died: the import is interrupted.
 */
export function isImportLive(row: { id: string; status: string; runnerPid: number | null; heartbeatAt: Date | null }, now = Date.now()) {
  if (row.status !== "running" && row.status !== "queued") return false;
  if (importsHere.has(row.id)) return true;
  if (row.runnerPid === process.pid) return false;
  return processAlive(row.runnerPid) && (row.heartbeatAt?.getTime() ?? 0) >= now - STALE_MS;
}

/**
 * An unfinished import of the same file and source that nothing is running any more, if any: failed or
 * interrupted, or "running" while its process is gone (killed, crashed) or silent for a long time.
 * With `only`, that import and no other.
 */
function findResumable(source: string, sha256: string, now: number, only?: string) {
  const rows = getDb()
    .select()
    .from(logImports)
    .where(and(eq(logImports.source, source), eq(logImports.sha256, sha256), inArray(logImports.status, ["interrupted", "failed", "running"]), only ? eq(logImports.id, only) : undefined))
    .orderBy(desc(logImports.startedAt))
    .all();
  return rows.find((r) => !isImportLive(r, now));
}

const dayCache = new Map<number, string>();
function dayOf(ts: number) {
  const d = Math.floor(ts / 86_400_000);
  let s = dayCache.get(d);
  if (!s) {
    s = new Date(d * 86_400_000).toISOString().slice(0, 10);
    if (dayCache.size > 10_000) dayCache.clear();
    dayCache.set(d, s);
  }
  return s;
}

export async function importLogs(opts: ImportInput): Promise<ImportSummary> {
  const started = Date.now();
  const db = getDb();
  const store = prepareEventStore(db.$client);
  const progress = { rawBytes: 0 };
  const lines = readLogLines(opts.input, progress, undefined, opts.maxDecompressedBytes)[Symbol.asyncIterator]();

  // Detection needs the first lines before anything is written.
  const head: LogLine[] = [];
  while (head.length < DETECT_LINES) {
    const n = await lines.next();
    if (n.done) break;
    if ("text" in n.value && n.value.text.trim() === "") continue;
    head.push(n.value);
  }
  let format: LogFormat;
  if (opts.format === "auto") {
    const detected = detectFormat(head.flatMap((l) => ("text" in l ? [l.text] : [])));
    if (!detected.format) throw new LogImportError(`Could not recognise the log format from the first lines: ${detected.reason}. Pass the format explicitly.`);
    format = detected.format;
  } else format = opts.format;
  const parse = parserFor(format, { map: opts.map });
  const keys = loadKeyIndex();
  const match = compileCatalog(listEndpoints(), listModels());

  // Create, adopt (upload) or resume the import's row.
  const now = Date.now();
  const resumable = opts.sha256 && !opts.importId ? findResumable(opts.source, opts.sha256, now, opts.resumeId) : undefined;
  if (opts.resumeId && !resumable) throw new LogImportError("This import cannot be resumed: it is running, finished, or not an import of this file.", opts.resumeId);
  const importId = opts.importId ?? resumable?.id ?? crypto.randomUUID();
  const resumeAfter = resumable?.bytesDone ?? 0;
  const counters = {
    lines: resumable?.lines ?? 0,
    parsed: resumable?.parsed ?? 0,
    rejected: resumable?.rejected ?? 0,
    duplicates: resumable?.duplicates ?? 0,
    matched: resumable?.matched ?? 0,
    unmatched: resumable?.unmatched ?? 0,
    secretsStripped: resumable?.secretsStripped ?? 0,
    flagsRaised: resumable?.flagsRaised ?? 0,
  };
  const samples: { line: number; reason: string }[] = [...(resumable?.rejectedSamples ?? [])];
  const secretFields: Record<string, number> = { ...(resumable?.secretFields ?? {}) };
  let firstEventAt = resumable?.firstEventAt?.getTime() ?? Infinity;
  let lastEventAt = resumable?.lastEventAt?.getTime() ?? -Infinity;
  db.transaction((tx) => {
    if (resumable) {
      tx.update(logImports).set({ status: "running", heartbeatAt: new Date(now), runnerPid: process.pid, error: null, format }).where(eq(logImports.id, importId)).run();
    } else if (opts.importId) {
      tx.update(logImports).set({ status: "running", heartbeatAt: new Date(now), runnerPid: process.pid, format }).where(eq(logImports.id, importId)).run();
    } else {
      tx.insert(logImports)
        .values({ id: importId, source: opts.source, format, via: opts.via, fileName: opts.fileName ?? null, sha256: opts.sha256 ?? null, sizeBytes: opts.sizeBytes ?? null, status: "running", heartbeatAt: new Date(now), runnerPid: process.pid, createdById: opts.ctx.actor?.id ?? null, startedAt: new Date(now) })
        .run();
    }
    writeAudit(tx, opts.ctx, { action: resumable ? "logs.import_resumed" : "logs.import_started", targetType: "log_import", targetId: importId, details: { source: opts.source, format, fileName: opts.fileName ?? null, via: opts.via, resumeAfterBytes: resumeAfter } });
  });
  track(importId); // until the row leaves "running" (below), so that isImportLive() knows it is not orphaned

  let batch: StoredEvent[] = [];
  let committedOffset = resumeAfter;
  let pendingOffset = resumeAfter;
  let linesSinceFlush = 0;

  const flush = () => {
    const events = batch;
    batch = [];
    linesSinceFlush = 0;
    db.transaction((tx) => {
      const keyAgg = new Map<string, { credentialId: string | null; events: number; successes: number; first: number; last: number }>();
      const usage = new Map<string, { credentialId: string; day: string; requests: number; errors: number }>();
      const ips = new Set<string>();
      const lastUse = new Map<string, { at: number; ip: string | null; ua: string | null }>();
      const stored = store.insertEvents(events);
      counters.duplicates += events.length - stored.length;
      for (const e of stored) {
        if (e.ts < firstEventAt) firstEventAt = e.ts;
        if (e.ts > lastEventAt) lastEventAt = e.ts;
        if (e.keyRef) {
          const k = keyAgg.get(e.keyRef);
          const ok = e.status < 400 ? 1 : 0;
          if (k) {
            k.events++;
            k.successes += ok;
            if (e.ts < k.first) k.first = e.ts;
            if (e.ts > k.last) k.last = e.ts;
          } else keyAgg.set(e.keyRef, { credentialId: e.credentialId, events: 1, successes: ok, first: e.ts, last: e.ts });
        }
        if (e.credentialId) {
          const day = dayOf(e.ts);
          const uk = `${e.credentialId}\u0000${day}`;
          const u = usage.get(uk);
          const err = e.status >= 400 ? 1 : 0;
          if (u) {
            u.requests++;
            u.errors += err;
          } else usage.set(uk, { credentialId: e.credentialId, day, requests: 1, errors: err });
          if (e.srcIp) ips.add(`${uk}\u0000${e.srcIp}`);
          const l = lastUse.get(e.credentialId);
          if (!l || e.ts > l.at) lastUse.set(e.credentialId, { at: e.ts, ip: e.srcIp, ua: e.userAgent });
        }
      }
      for (const [keyRef, k] of keyAgg) store.upsertKey(importId, keyRef, k.credentialId, k.events, k.successes, k.first, k.last);
      for (const u of usage.values()) store.upsertUsage(u.credentialId, u.day, u.requests, u.errors);
      for (const s of ips) {
        const [credentialId, day, ip] = s.split("\u0000");
        store.insertDailyIp(credentialId, day, ip);
      }
      for (const [credentialId, l] of lastUse) store.moveLastUse(credentialId, l.at, l.ip, l.ua);
      if (opts.onBatch && stored.length) counters.flagsRaised += opts.onBatch(stored);
      tx.update(logImports)
        .set({
          ...counters,
          bytesDone: pendingOffset,
          progress: opts.sizeBytes ? Math.min(1000, Math.floor((progress.rawBytes / opts.sizeBytes) * 1000)) : 0,
          heartbeatAt: new Date(),
          rejectedSamples: samples,
          secretFields,
          firstEventAt: Number.isFinite(firstEventAt) ? new Date(firstEventAt) : null,
          lastEventAt: Number.isFinite(lastEventAt) ? new Date(lastEventAt) : null,
        })
        .where(eq(logImports.id, importId))
        .run();
    });
    committedOffset = pendingOffset;
    opts.onProgress?.({ lines: counters.lines, rawBytes: progress.rawBytes });
  };

  const reject = (lineNo: number, reason: string) => {
    counters.rejected++;
    if (samples.length < MAX_SAMPLES) samples.push({ line: lineNo, reason });
  };

  const handle = (l: LogLine) => {
    if (l.endOffset <= resumeAfter) return; // committed by the interrupted run
    pendingOffset = l.endOffset;
    linesSinceFlush++;
    if ("tooLong" in l) {
      counters.lines++;
      reject(l.lineNo, "line longer than 1 MB");
      return;
    }
    if (l.text.trim() === "") return;
    counters.lines++;
    const r = parse(l.text);
    if (!r.ok) {
      reject(l.lineNo, r.reason);
      if (counters.parsed === 0 && counters.rejected >= WRONG_FORMAT_LINES && resumeAfter === 0) {
        throw new LogImportError(`None of the first ${WRONG_FORMAT_LINES} lines is valid ${format} (line ${samples[0]?.line}: ${samples[0]?.reason}). Is this the right format?`, importId);
      }
      return;
    }
    counters.parsed++;
    if (r.secretsStripped.length) {
      counters.secretsStripped++;
      for (const f of r.secretsStripped) secretFields[f] = (secretFields[f] ?? 0) + 1;
    }
    const e: CanonicalEvent = r.event;
    const credentialId = e.keyRef ? ((e.keyRefKind === "fingerprint" ? keys.byFingerprint : keys.byKeyId).get(e.keyRef) ?? null) : null;
    if (credentialId) counters.matched++;
    else counters.unmatched++;
    const m = match(e.method, e.path, e.model ?? null);
    const row: StoredEvent = {
      eventKey: eventKey(e),
      importId,
      ts: e.ts,
      requestId: e.requestId ?? null,
      keyRef: e.keyRef ?? null,
      credentialId,
      srcIp: e.srcIp ?? null,
      asn: e.asn ?? null,
      country: e.country ?? null,
      userAgent: e.userAgent ?? null,
      method: e.method,
      path: e.path,
      endpoint: m.endpoint,
      model: m.model,
      status: e.status,
      gatewayError: e.gatewayError ?? null,
      bytes: e.bytes ?? null,
      latencyMs: e.latencyMs ?? null,
      tokensIn: e.tokensIn ?? null,
      tokensOut: e.tokensOut ?? null,
    };
    if (r.secretsStripped.length) row.secretsStripped = r.secretsStripped;
    batch.push(row);
  };

  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    db.transaction((tx) => {
      tx.update(logImports).set({ status: error instanceof LogInputError ? "failed" : "interrupted", error: message, finishedAt: new Date(), bytesDone: committedOffset }).where(eq(logImports.id, importId)).run();
      writeAudit(tx, opts.ctx, { action: "logs.import_failed", targetType: "log_import", targetId: importId, details: { error: message, ...counters } });
    });
  };

  try {
    for (const l of head) handle(l);
    for (;;) {
      const n = await lines.next();
      if (n.done) break;
      handle(n.value);
      if (batch.length >= BATCH_EVENTS || linesSinceFlush >= BATCH_EVENTS * 2) flush();
    }
    flush();
  } catch (error) {
    untrack(importId);
    if (batch.length && !(error instanceof LogImportError)) {
      // Lines before a broken tail (e.g. truncated gzip) are good: keep them.
      try {
        flush();
      } catch {
        /* the failure below records the state */
      }
    }
    fail(error);
    if (error instanceof LogInputError) throw new LogImportError(`${error.message}${counters.parsed ? ` ${counters.parsed} events before it were imported; fix the file and run the import again to finish.` : ""}`, importId);
    throw error;
  }

  untrack(importId);
  const finishedAt = new Date();
  db.transaction((tx) => {
    opts.onComplete?.();
    tx.update(logImports).set({ status: "completed", finishedAt, progress: 1000, heartbeatAt: finishedAt }).where(eq(logImports.id, importId)).run();
    writeAudit(tx, opts.ctx, { action: "logs.imported", targetType: "log_import", targetId: importId, details: { source: opts.source, format, ...counters } });
  });
  const unregisteredKeys = db
    .select({ keyRef: logImportKeys.keyRef, events: logImportKeys.events, successes: logImportKeys.successes })
    .from(logImportKeys)
    .where(and(eq(logImportKeys.importId, importId), isNull(logImportKeys.credentialId)))
    .orderBy(desc(logImportKeys.events))
    .limit(50)
    .all();
  return {
    importId,
    format,
    resumed: Boolean(resumable),
    ...counters,
    rejectedSamples: samples,
    unregisteredKeys,
    secretFields,
    firstEventAt: Number.isFinite(firstEventAt) ? new Date(firstEventAt).toISOString() : null,
    lastEventAt: Number.isFinite(lastEventAt) ? new Date(lastEventAt).toISOString() : null,
    seconds: Math.round((Date.now() - started) / 10) / 100,
  };
}
