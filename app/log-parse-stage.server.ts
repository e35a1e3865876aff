import { compileCatalog, type CatalogEndpointRef, type CatalogModelRef, type PathMatch } from "~/domain/catalog-match";
import type { RuleErrorCount } from "~/domain/detection/engine";
import { createStageDetector, type StageDetection, type StageFinding } from "~/domain/detection/stage-detection";
import type { DetectionEvent } from "~/domain/detection/types";
import { BatchBuilder, type BatchInput, type EventBatch } from "~/domain/event-batch";
import { flatCopy } from "~/domain/flat-copy";
import type { JsonlMap } from "~/domain/log-formats/jsonl";
import { detectFormat, parserFor, type LogFormat } from "~/domain/log-parse";
import { LogInputError, type LogLine } from "./log-input.server";

// The import's first stage, with no database: lines → format parser → canonical event → matched to a
// credential and the catalog → columnar batches. It runs on the import's own thread for small inputs
// and in a worker thread for large files (app/log-parse.worker.ts), where it overlaps with the main
// thread's inserts; either way it is this same code, so both paths give the same batches.
//
// Batches are columnar (typed arrays plus one string table per batch) because that is what crosses
// threads cheaply (app/domain/event-batch.ts).

/** Events per batch (one transaction each): 25,000 measured 1.5-2 µs per event cheaper to insert than 10,000 (fewer commits). */
export const BATCH_EVENTS = 25_000;
const FIRST_BATCH_EVENTS = 2_500;
const DETECT_LINES = 5;
const WRONG_FORMAT_LINES = 20;
const MAX_SAMPLES = 50;

/** A log that cannot be imported as it is (wrong format, broken input), with the import it concerns. */
export class LogImportError extends LogInputError {
  constructor(
    message: string,
    readonly importId: string | null = null,
  ) {
    super(message);
  }
}

export type StageCounters = { lines: number; parsed: number; rejected: number; matched: number; unmatched: number; secretsStripped: number };

/** The stage's own counters out of the import's (the stage does not count duplicates or flags). */
export function stageCounters(c: StageCounters): StageCounters {
  return { lines: c.lines, parsed: c.parsed, rejected: c.rejected, matched: c.matched, unmatched: c.unmatched, secretsStripped: c.secretsStripped };
}

/** Everything the stage needs, structured-cloneable (it is a worker's workerData). */
export type StageSetup = {
  format: LogFormat | "auto";
  map?: JsonlMap;
  /** Lines ending at or before this decompressed offset were committed by an interrupted run. */
  resumeAfter: number;
  counters: StageCounters;
  samples: { line: number; reason: string }[];
  secretFields: Record<string, number>;
  keysById: Map<string, string>;
  keysByFingerprint: Map<string, string>;
  credentialRefs: Map<string, number>;
  endpoints: CatalogEndpointRef[];
  models: CatalogModelRef[];
  batchEvents?: number;
  /** Detection's rules to run here, on every parsed event (STAGE_RULES): set when the import detects and this stage runs in the worker. */
  detection?: StageDetection;
};

export type StageMessage =
  | { type: "format"; format: LogFormat }
  | {
      type: "batch";
      batch: EventBatch;
      /** Counters, samples and secret fields so far (the import's, including a resumed run's). */
      counters: StageCounters;
      samples: { line: number; reason: string }[];
      secretFields: Record<string, number>;
      /** The decompressed offset just past the batch's last line: committed with it. */
      endOffset: number;
      rawBytes: number;
      /** With setup.detection: the stage rules' findings for this batch's events, and their errors so far. */
      findings: StageFinding[];
      ruleErrors: RuleErrorCount[];
    };

/**
 * Runs the stage over `lines` (in batches, as readLogLineBatches gives them): yields the detected format first, then batches (the last one possibly
 * empty: it commits the final offset and counters). Throws LogImportError for an unrecognised or
 * wrong format and passes on LogInputError from the input; events read before a broken tail are
 * yielded first, so the caller can keep them.
 */
export async function* runParseStage(lines: AsyncIterable<LogLine[]>, setup: StageSetup, progress: { rawBytes: number }): AsyncGenerator<StageMessage> {
  // Lines arrive an input chunk at a time (readLogLineBatches): one await per chunk, not per line.
  const it = lines[Symbol.asyncIterator]();
  let buf: LogLine[] = [];
  let pos = 0;
  const more = async () => {
    for (;;) {
      const n = await it.next();
      if (n.done) return false;
      if (n.value.length) {
        buf = n.value;
        pos = 0;
        return true;
      }
    }
  };
  const head: LogLine[] = [];
  while (head.length < DETECT_LINES) {
    if (pos >= buf.length && !(await more())) break;
    const l = buf[pos++];
    if ("text" in l && l.text.trim() === "") continue;
    head.push(l);
  }
  let format: LogFormat;
  if (setup.format === "auto") {
    const detected = detectFormat(head.flatMap((l) => ("text" in l ? [l.text] : [])));
    if (!detected.format) throw new LogImportError(`Could not recognise the log format from the first lines: ${detected.reason}. Pass the format explicitly.`);
    format = detected.format;
  } else format = setup.format;
  yield { type: "format", format };

  const parse = parserFor(format, { map: setup.map });
  const match = compileCatalog(setup.endpoints, setup.models);
  // Paths repeat: remember each (method, path)'s match when the model comes from the path (at most
  // 20,000 paths of up to 256 characters under at most 16 methods, so the worker's small heap holds it).
  // Keyed by method, then by the path itself: the path's hash, computed here, is kept with the string for
  // the batch's string table. A cached path or method is a flat copy (flatCopy): a path cut from its line
  // (the access-log formats) would keep the whole line alive, and a Map finds flat keys faster.
  let matches = new Map<string, Map<string, PathMatch>>();
  let cachedPaths = 0;
  const matchCached = (method: string, path: string, model: string | null): PathMatch => {
    if (model !== null || path.length > 256 || method.length > 20) return match(method, path, model); // long paths (probes) and made-up methods are not worth keeping
    let byPath = matches.get(method);
    let m = byPath?.get(path);
    if (!m) {
      m = match(method, path, null);
      if (cachedPaths >= 20_000) {
        matches = new Map();
        cachedPaths = 0;
        byPath = undefined;
      }
      if (!byPath) {
        if (matches.size >= 16) return m; // methods are the log's own: not one map each for a flood of made-up ones
        matches.set(flatCopy(method), (byPath = new Map()));
      }
      byPath.set(flatCopy(path), m);
      cachedPaths++;
    }
    return m;
  };
  const { resumeAfter, keysById, keysByFingerprint, credentialRefs } = setup;
  const counters = { ...setup.counters };
  const samples = [...setup.samples];
  const secretFields = { ...setup.secretFields };
  const capacity = setup.batchEvents ?? BATCH_EVENTS;
  const builder = new BatchBuilder(capacity);
  // The first batch is small, so the inserting thread starts while this stage is still warming up.
  let limit = Math.min(capacity, FIRST_BATCH_EVENTS);
  const scratch: BatchInput = { ts: 0, status: 0, asn: null, bytes: null, latencyMs: null, tokensIn: null, tokensOut: null, credentialRef: null, requestId: null, keyRef: null, srcIp: null, country: null, userAgent: null, method: "", path: "", endpoint: null, model: null, gatewayError: null, secrets: [] };
  let endOffset = resumeAfter;
  let linesSinceBatch = 0;

  const detector = setup.detection ? createStageDetector(setup.detection, (k) => keysById.has(k) || keysByFingerprint.has(k)) : null;

  const message = (): StageMessage => ({ type: "batch", batch: builder.take(), counters: { ...counters }, samples: [...samples], secretFields: { ...secretFields }, endOffset, rawBytes: progress.rawBytes, findings: detector?.take() ?? [], ruleErrors: detector?.errorCounts() ?? [] });
  const reject = (lineNo: number, reason: string) => {
    counters.rejected++;
    if (samples.length < MAX_SAMPLES) samples.push({ line: lineNo, reason });
  };
  const handle = (l: LogLine) => {
    if (l.endOffset <= resumeAfter) return; // committed by the interrupted run
    endOffset = l.endOffset;
    linesSinceBatch++;
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
        throw new LogImportError(`None of the first ${WRONG_FORMAT_LINES} lines is valid ${format} (line ${samples[0]?.line}: ${samples[0]?.reason}). Is this the right format?`);
      }
      return;
    }
    counters.parsed++;
    if (r.secretsStripped.length) {
      counters.secretsStripped++;
      for (const f of r.secretsStripped) secretFields[f] = (secretFields[f] ?? 0) + 1;
    }
    const e = r.event;
    const credentialId = e.keyRef ? ((e.keyRefKind === "fingerprint" ? keysByFingerprint : keysById).get(e.keyRef) ?? null) : null;
    if (credentialId) counters.matched++;
    else counters.unmatched++;
    const m = matchCached(e.method, e.path, e.model ?? null);
    if (detector !== null) {
      const d: DetectionEvent = { ts: e.ts, keyRef: e.keyRef ?? null, credentialId, srcIp: e.srcIp ?? null, userAgent: e.userAgent ?? null, method: e.method, path: e.path, endpoint: m.endpoint, model: m.model, status: e.status };
      if (r.secretsStripped.length) d.secretsStripped = r.secretsStripped; // as batchEvents does: no spread per event
      detector.observe(d, builder.n);
    }
    // One input object for every event (the builder copies it into its columns): no allocation per event.
    const input = scratch;
    input.ts = e.ts;
    input.status = e.status;
    input.asn = e.asn ?? null;
    input.bytes = e.bytes ?? null;
    input.latencyMs = e.latencyMs ?? null;
    input.tokensIn = e.tokensIn ?? null;
    input.tokensOut = e.tokensOut ?? null;
    input.credentialRef = credentialId ? (credentialRefs.get(credentialId) ?? null) : null;
    input.requestId = e.requestId ?? null;
    input.keyRef = e.keyRef ?? null;
    input.srcIp = e.srcIp ?? null;
    input.country = e.country ?? null;
    input.userAgent = e.userAgent ?? null;
    input.method = e.method;
    input.path = e.path;
    input.endpoint = m.endpoint;
    input.model = m.model;
    input.gatewayError = e.gatewayError ?? null;
    input.secrets = r.secretsStripped;
    builder.add(input);
  };

  try {
    for (const l of head) handle(l);
    for (;;) {
      if (pos >= buf.length && !(await more())) break;
      handle(buf[pos++]);
      if (builder.n >= limit || linesSinceBatch >= limit * 2) {
        linesSinceBatch = 0;
        limit = capacity;
        yield message();
      }
    }
  } catch (error) {
    // Lines before a broken tail (e.g. truncated gzip) are good: hand them over before the error.
    if (builder.n && !(error instanceof LogImportError)) yield message();
    throw error;
  }
  yield message();
}
