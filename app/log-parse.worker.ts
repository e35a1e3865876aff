import { createReadStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { readLogLineBatches } from "./log-input.server";
import { batchBuffers } from "./domain/event-batch";
import { runParseStage, type StageSetup } from "./log-parse-stage.server";

// A worker thread running the import's parse stage over a file (app/log-parse-thread.server.ts starts
// it). Each batch is transferred, not copied; at most `credits` batches are in flight, so memory stays
// flat when the database is the slower side.

type Data = { file: string; setup: StageSetup; maxBytes?: number; credits: number };

const { file, setup, maxBytes, credits: initialCredits } = workerData as Data;
const port = parentPort!;
let credits = initialCredits;
let wake: (() => void) | null = null;
port.on("message", () => {
  credits++;
  wake?.();
  wake = null;
});

async function main() {
  const progress = { rawBytes: 0 };
  const lines = readLogLineBatches(createReadStream(file, { highWaterMark: 256 * 1024 }), progress, undefined, maxBytes);
  for await (const m of runParseStage(lines, setup, progress)) {
    if (m.type === "batch") {
      while (credits === 0) await new Promise<void>((r) => (wake = r));
      credits--;
      port.postMessage(m, batchBuffers(m.batch));
    } else port.postMessage(m);
  }
  port.postMessage({ type: "done" });
}

main().catch((error: unknown) => {
  // The error's code too (ENOENT: an uploaded file removed meanwhile), which the import's caller reports on.
  port.postMessage({ type: "error", name: error instanceof Error ? error.constructor.name : "Error", message: error instanceof Error ? error.message : String(error), code: (error as NodeJS.ErrnoException)?.code });
});
