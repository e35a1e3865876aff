import { createReadStream } from "node:fs";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialRefs, eventRefOf, prepareEventStore, type EventStore } from "../../db/event-store";
import { credentialRotations, credentials, logImportKeys, logImports } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { aggregateBatch, batchEvents, type StoredEvent } from "~/domain/event-batch";
import type { RuleErrorCount } from "~/domain/detection/engine";
import type { StageDetection } from "~/domain/detection/stage-detection";
import type { Finding } from "~/domain/detection/types";
import type { JsonlMap } from "~/domain/log-formats/jsonl";
import { checkJsonlMap } from "~/domain/log-formats/jsonl-map";
import type { LogFormat } from "~/domain/log-parse";
import { LogInputError, readLogLineBatches } from "~/log-input.server";
import { LogImportError, runParseStage, stageCounters, type StageMessage, type StageSetup } from "~/log-parse-stage.server";
import { workerBundle } from "~/log-parse-bundle.server";
import { parseFileInWorker } from "~/log-parse-thread.server";
import { writeAudit } from "./audit.server";
import { listEndpoints, listModels } from "./catalog.server";

// The import pipeline (DESIGN "Data flow of an import") in two stages: bytes → lines → format parser
// → canonical event → columnar batch (app/log-parse-stage.server.ts: in a worker thread for a large
// file, so that parsing overlaps with the inserts), then per batch one transaction on this thread
// (insert events, usage, key references, last use, the import's counters and its committed offset).
// Memory is flat: a few batches in flight and a few bounded maps.
// Idempotent: events are keyed by their identity (eventKeyOf, computed as each batch is inserted); resumable: a re-run of the same file continues after
// the last committed offset of its unfinished import.

const STALE_MS = 10 * 60_000;
/** A file at least this large is parsed in a worker thread, alongside this thread's inserts (below it, starting the worker costs more than it saves). */
export const PARSE_IN_WORKER_BYTES = 16 * 1024 * 1024;
/** Read size for a file imported on this thread: one await per 256 KB chunk. */
const READ_CHUNK_BYTES = 256 * 1024;

export type ImportInput = {
  source: string;
  format: LogFormat | "auto";
  via: "upload" | "cli" | "push";
  /** What to read: a stream (stdin, a pushed body), or else the file at `filePath`, opened by the import itself. */
  input?: AsyncIterable<Buffer | string>;
  ctx: ActionContext;
  fileName?: string | null;
  sha256?: string | null; // of the whole input, when it is a file: enables resuming
  sizeBytes?: number | null;
  /** Refuse input larger than this once decompressed (the push API's guard against gzip bombs). */
  maxDecompressedBytes?: number;
  map?: JsonlMap;
  /** The file to import, when it is one (without `input`): a large file is read and parsed in a worker thread. */
  filePath?: string | null;
  /** Where to parse: by default in a worker for a file of PARSE_IN_WORKER_BYTES or more, else on this thread. */
  parseIn?: "worker" | "thread";
  importId?: string; // a queued row created by the upload page
  resumeId?: string; // resume exactly this failed or interrupted import of the same file (the Imports page's Resume button)
  onProgress?: (p: { lines: number; rawBytes: number }) => void;
  /**
   * Called inside each batch's transaction with the events stored by it (detection hooks in here), and,
   * when the parse stage ran `stageDetection`'s rules, their findings for those events. The events come
   * grouped by credential (batchEvents); `order` lists their indices in event order. Returns flags raised.
   */
  onBatch?: (events: StoredEvent[], stage?: StageDetectionResult, order?: ArrayLike<number>) => number;
  /** Detection's rules the parse stage may run (on a second thread when the file is parsed in a worker). */
  stageDetection?: StageDetection;
  /** Called once after the last batch, inside the transaction that marks the import completed (detection's baselines). */
  onComplete?: () => void;
};

export type { StoredEvent };
/** What the parse stage's rules found in a batch's stored events, and their errors so far. */
export type StageDetectionResult = { findings: Finding[]; ruleErrors: RuleErrorCount[] };
export { LogImportError };

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

export async function importLogs(opts: ImportInput): Promise<ImportSummary> {
  if (!opts.input && !opts.filePath) throw new Error("importLogs needs an input stream or a file path");
  const started = Date.now();
  const db = getDb();
  const store = prepareEventStore(db.$client);
  const now = Date.now();
  const resumable = opts.sha256 && !opts.importId ? findResumable(opts.source, opts.sha256, now, opts.resumeId) : undefined;
  if (opts.resumeId && !resumable) throw new LogImportError("This import cannot be resumed: it is running, finished, or not an import of this file.", opts.resumeId);
  const resumeAfter = resumable?.bytesDone ?? 0;

  const keys = loadKeyIndex();
  const credentialRef = credentialRefs(db.$client);
  const credentialOf = new Map([...credentialRef].map(([id, ref]) => [ref, id]));
  const setup: StageSetup = {
    format: opts.format,
    map: validMap(opts.map),
    resumeAfter,
    counters: stageCounters(startingCounters(resumable)),
    samples: [...(resumable?.rejectedSamples ?? [])],
    secretFields: { ...(resumable?.secretFields ?? {}) },
    keysById: keys.byKeyId,
    keysByFingerprint: keys.byFingerprint,
    credentialRefs: credentialRef,
    endpoints: listEndpoints().map((e) => ({ name: e.name, methods: e.methods, pathTemplate: e.pathTemplate })),
    models: listModels().map((m) => ({ name: m.name, aliases: m.aliases })),
  };
  const inWorker = opts.filePath && (opts.parseIn ?? ((opts.sizeBytes ?? 0) >= PARSE_IN_WORKER_BYTES ? "worker" : "thread")) === "worker";
  // Detection's event-only rules go with the parsing when it has a thread of its own; on one thread, the detector runs them all.
  if (inWorker && opts.onBatch && opts.stageDetection) setup.detection = opts.stageDetection;
  const progress = { rawBytes: 0 };
  // The file is opened by whichever thread reads it (the worker opens its own).
  const stage: AsyncIterator<StageMessage> & { stop?: () => Promise<void> } = inWorker
    ? parseFileInWorker(opts.filePath!, setup, opts.maxDecompressedBytes, await workerBundle())
    : runParseStage(readLogLineBatches(opts.input ?? createReadStream(opts.filePath!, { highWaterMark: READ_CHUNK_BYTES }), progress, undefined, opts.maxDecompressedBytes), setup, progress)[Symbol.asyncIterator]();

  try {
    // The format comes first (detected from the first lines when "auto"): nothing is written before it.
    const first = await stage.next();
    if (first.done || first.value.type !== "format") throw new LogImportError("The log ended before its format could be read.");
    return await runImport(opts, { stage, format: first.value.format, resumable, setup, store, credentialOf, started });
  } finally {
    await stage.stop?.();
  }
}

/** The `--map` option, validated here (the parser, which may run in the worker, only asserts it). */
function validMap(map: JsonlMap | undefined): JsonlMap | undefined {
  if (map === undefined) return undefined;
  const checked = checkJsonlMap(map);
  if (!checked.ok) throw new LogImportError(checked.error);
  return checked.map;
}

/** An import's counters at its start: zero, or where its interrupted run stopped. */
function startingCounters(resumable: ReturnType<typeof findResumable>) {
  return {
    lines: resumable?.lines ?? 0,
    parsed: resumable?.parsed ?? 0,
    rejected: resumable?.rejected ?? 0,
    duplicates: resumable?.duplicates ?? 0,
    matched: resumable?.matched ?? 0,
    unmatched: resumable?.unmatched ?? 0,
    secretsStripped: resumable?.secretsStripped ?? 0,
    flagsRaised: resumable?.flagsRaised ?? 0,
  };
}

type ImportRun = {
  stage: AsyncIterator<StageMessage>;
  format: LogFormat;
  resumable: ReturnType<typeof findResumable>;
  /** What the parse stage started from: the resume offset, and the interrupted run's samples and secret fields. */
  setup: StageSetup;
  store: EventStore;
  credentialOf: ReadonlyMap<number, string>;
  started: number;
};

/** The import's second stage, on this thread: each batch from the parse stage is written in one transaction. */
async function runImport(opts: ImportInput, run: ImportRun): Promise<ImportSummary> {
  const { stage, format, resumable, store, credentialOf } = run;
  const { resumeAfter } = run.setup;
  const db = getDb();
  // Create, adopt (upload) or resume the import's row.
  const now = Date.now();
  const importId = opts.importId ?? resumable?.id ?? crypto.randomUUID();
  const counters = startingCounters(resumable);
  let samples = run.setup.samples;
  let secretFields = run.setup.secretFields;
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
  const importRef = eventRefOf(db.$client, "import", importId);
  track(importId); // until the row leaves "running" (below), so that isImportLive() knows it is not orphaned
  let committedOffset = resumeAfter;

  const flush = (m: Extract<StageMessage, { type: "batch" }>) => {
    const b = m.batch;
    Object.assign(counters, m.counters);
    samples = m.samples;
    secretFields = m.secretFields;
    db.transaction((tx) => {
      const { stored, count } = store.insertBatch(b, importRef);
      counters.duplicates += b.n - count;
      const agg = aggregateBatch(b, stored, credentialOf);
      if (agg.firstTs < firstEventAt) firstEventAt = agg.firstTs;
      if (agg.lastTs > lastEventAt) lastEventAt = agg.lastTs;
      for (const k of agg.keys) store.upsertKey(importId, k.keyRef, k.credentialId, k.events, k.successes, k.first, k.last);
      for (const u of agg.usage) store.upsertUsage(u.credentialId, u.day, u.requests, u.errors);
      for (const d of agg.dailyIps) store.insertDailyIp(d.credentialId, d.day, d.ip);
      for (const l of agg.lastUse) store.moveLastUse(l.credentialId, l.at, l.ip, l.userAgent);
      const stageDetects = run.setup.detection !== undefined; // the parse stage ran the stage rules: their findings go to onBatch
      if (opts.onBatch && (count || stageDetects)) {
        const stage = stageDetects ? { findings: m.findings.filter((f) => stored[f.index]).map((f) => f.finding), ruleErrors: m.ruleErrors } : undefined;
        const { events, order } = batchEvents(b, stored, importId, credentialOf);
        counters.flagsRaised += opts.onBatch(events, stage, order);
      }
      tx.update(logImports)
        .set({
          ...counters,
          bytesDone: m.endOffset,
          progress: opts.sizeBytes ? Math.min(1000, Math.floor((m.rawBytes / opts.sizeBytes) * 1000)) : 0,
          heartbeatAt: new Date(),
          rejectedSamples: samples,
          secretFields,
          firstEventAt: Number.isFinite(firstEventAt) ? new Date(firstEventAt) : null,
          lastEventAt: Number.isFinite(lastEventAt) ? new Date(lastEventAt) : null,
        })
        .where(eq(logImports.id, importId))
        .run();
      // Immediate: the batch reads (its string ids' epoch, the last row id) before it writes, so it takes the
      // write lock first; a deferred one would fail outright (SQLITE_BUSY_SNAPSHOT) whenever another process
      // (the web server, retention) committed between its first read and its first write.
    }, { behavior: "immediate" });
    committedOffset = m.endOffset;
    opts.onProgress?.({ lines: counters.lines, rawBytes: m.rawBytes });
  };

  const fail = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    db.transaction((tx) => {
      tx.update(logImports).set({ status: error instanceof LogInputError ? "failed" : "interrupted", error: message, finishedAt: new Date(), bytesDone: committedOffset }).where(eq(logImports.id, importId)).run();
      writeAudit(tx, opts.ctx, { action: "logs.import_failed", targetType: "log_import", targetId: importId, details: { error: message, ...counters } });
    });
  };

  try {
    for (;;) {
      const n = await stage.next();
      if (n.done) break;
      if (n.value.type === "batch") flush(n.value);
    }
  } catch (error) {
    untrack(importId);
    fail(error);
    if (error instanceof LogImportError) throw new LogImportError(error.message, importId);
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
    seconds: Math.round((Date.now() - run.started) / 10) / 100,
  };
}
