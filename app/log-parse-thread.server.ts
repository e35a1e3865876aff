import { Worker } from "node:worker_threads";
import { WORKER_ENTRY } from "./log-parse-bundle.server";
import { LogInputError } from "./log-input.server";
import { LogImportError, type StageMessage, type StageSetup } from "./log-parse-stage.server";

// Runs the parse stage over a file in a worker thread and hands its messages back as an async
// iterator, in order, exactly as runParseStage would on this thread. Errors come back as the same
// classes (LogImportError, LogInputError), so the import treats both paths alike.

const IN_FLIGHT = 1; // batches waiting for the inserts (the worker parses the next meanwhile): 2 measured +40 MB of peak RSS, no faster
// The worker's live data is small (a batch, the key index, a bounded path cache): a small heap makes V8
// collect early instead of letting the heap grow (peak RSS at 1M lines: 360 MB without limits and two
// batches in flight; 240-260 MB with these and one batch in flight; 266 MB at 5M). An 8 MB young
// generation made a 1M import faster (7.4-7.7 s against 8.8-8.9 s, 2 CPU-s less) but took peak RSS at
// 5M lines over 300 MB in two runs of four (278-305 MB, against 275-295 MB with 4 MB): not kept.
const WORKER_LIMITS = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 };
/** Detection's window state when the stage runs its rules (bounded per rule: subjects and samples). */
const DETECTION_HEAP_MB = 256;
const heapFor = (setup: StageSetup) => ({
  ...WORKER_LIMITS,
  // Room for the key index on top (about 300 bytes per key id or fingerprint): a large inventory must not run the worker out of heap.
  maxOldGenerationSizeMb: WORKER_LIMITS.maxOldGenerationSizeMb + Math.ceil(((setup.keysById.size + setup.keysByFingerprint.size) * 300) / 1e6) + (setup.detection ? DETECTION_HEAP_MB : 0),
  ...(setup.detection ? { maxYoungGenerationSizeMb: 16 } : {}),
});

type WorkerMessage = StageMessage | { type: "done" } | { type: "error"; name: string; message: string; code?: string };

export type ParseThread = AsyncIterableIterator<StageMessage> & { stop(): Promise<void> };

/** `bundle`: the worker prebuilt (app/log-parse-bundle.server.ts), else null for its .ts sources through tsx's require hook (tsx runs the portal and the CLI already). */
export function parseFileInWorker(file: string, setup: StageSetup, maxBytes: number | undefined, bundle: string | null): ParseThread {
  const script = bundle !== null ? `require(${JSON.stringify(bundle)});` : `require("tsx/cjs"); require(${JSON.stringify(WORKER_ENTRY)});`;
  const worker = new Worker(script, { eval: true, workerData: { file, setup, maxBytes, credits: IN_FLIGHT }, resourceLimits: heapFor(setup) });
  const queue: WorkerMessage[] = [];
  let waiting: ((m: WorkerMessage) => void) | null = null;
  const deliver = (m: WorkerMessage) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(m);
    } else queue.push(m);
  };
  worker.on("message", deliver);
  worker.on("error", (e) => deliver({ type: "error", name: "Error", message: e.message }));
  worker.on("exit", (code) => deliver(code === 0 ? { type: "done" } : { type: "error", name: "Error", message: `the log parser stopped (exit code ${code})` }));
  let finished = false;
  const next = (): Promise<WorkerMessage> => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiting = r)));
  const thread: ParseThread = {
    async next() {
      if (finished) return { done: true, value: undefined };
      const m = await next();
      if (m.type === "done") {
        finished = true;
        return { done: true, value: undefined };
      }
      if (m.type === "error") {
        finished = true;
        const error: Error & { code?: string } = m.name === "LogImportError" ? new LogImportError(m.message) : m.name === "LogInputError" ? new LogInputError(m.message) : new Error(m.message);
        if (m.code) error.code = m.code;
        throw error;
      }
      if (m.type === "batch") worker.postMessage("credit"); // taken: the worker may parse one more
      return { done: false, value: m };
    },
    [Symbol.asyncIterator]() {
      return thread;
    },
    async stop() {
      finished = true;
      await worker.terminate();
    },
  };
  return thread;
}
