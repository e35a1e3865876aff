import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

// Bytes → lines, streaming and flat in memory: gzip is recognised by its magic bytes, a binary file
// is refused on its first chunk, an over-long line is reported (not buffered) and skipped.

export const MAX_LINE_BYTES = 1024 * 1024;

export class LogInputError extends Error {}

export type LogLine = { lineNo: number; text: string; endOffset: number } | { lineNo: number; tooLong: true; endOffset: number };

type Progress = { rawBytes: number };

/** Decompressed chunks of `source`, counting raw bytes read into `progress`. */
async function* chunks(source: AsyncIterable<Buffer | string>, progress: Progress): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const firstBuf = Buffer.isBuffer(first.value) ? first.value : Buffer.from(first.value);
  async function* raw() {
    progress.rawBytes += firstBuf.length;
    yield firstBuf;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      const b = Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
      progress.rawBytes += b.length;
      yield b;
    }
  }
  if (firstBuf.length >= 2 && firstBuf[0] === 0x1f && firstBuf[1] === 0x8b) {
    const gunzip = createGunzip();
    const input = Readable.from(raw());
    input.on("error", (e) => gunzip.destroy(e));
    input.pipe(gunzip);
    try {
      for await (const c of gunzip as AsyncIterable<Buffer>) yield c;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new LogInputError(/unexpected end of file/i.test(msg) ? "The gzip file is truncated (it ends in the middle of the compressed data)." : `The gzip data is corrupt: ${msg}`);
    }
  } else {
    yield* raw();
  }
}

function looksBinary(b: Buffer): boolean {
  const n = Math.min(b.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) control++;
  }
  return n > 0 && control / n > 0.1;
}

/**
 * The lines of a log (text or gzip), numbered from 1, with the decompressed offset just past each
 * line (an import commits it with each batch so a re-run can resume there). Throws LogInputError for
 * an empty or binary input and for broken gzip.
 */
export async function* readLogLines(
  source: AsyncIterable<Buffer | string>,
  progress: Progress = { rawBytes: 0 },
  maxLineBytes = MAX_LINE_BYTES,
  /** A cap on the decompressed size: a small gzip body must not expand without end. */
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<LogLine> {
  for await (const lines of readLogLineBatches(source, progress, maxLineBytes, maxBytes)) yield* lines;
}

/** readLogLines, one array of lines per input chunk: the import's hot path pays the async step per chunk, not per line. */
export async function* readLogLineBatches(
  source: AsyncIterable<Buffer | string>,
  progress: Progress = { rawBytes: 0 },
  maxLineBytes = MAX_LINE_BYTES,
  maxBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<LogLine[]> {
  let carry: Buffer | null = null;
  let skipping = false; // inside an over-long line
  let lineNo = 0;
  let offset = 0; // decompressed bytes before the current chunk
  let sawAny = false;
  for await (const chunk of chunks(source, progress)) {
    if (!sawAny) {
      sawAny = true;
      if (looksBinary(chunk)) throw new LogInputError("This looks like a binary file, not a text log.");
    }
    const out: LogLine[] = [];
    let start = 0;
    let buf = chunk;
    let base = offset;
    if (carry) {
      buf = Buffer.concat([carry, chunk]);
      base = offset - carry.length;
      carry = null;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1) break;
      lineNo++;
      const end = base + nl + 1;
      if (skipping) {
        skipping = false;
        out.push({ lineNo, tooLong: true, endOffset: end });
      } else if (nl - start > maxLineBytes) {
        out.push({ lineNo, tooLong: true, endOffset: end });
      } else {
        let stop = nl;
        if (stop > start && buf[stop - 1] === 13) stop--;
        out.push({ lineNo, text: buf.toString("utf8", start, stop), endOffset: end });
      }
      start = nl + 1;
    }
    offset += chunk.length;
    if (out.length) yield out;
    if (offset > maxBytes) throw new LogInputError(`The log is larger than ${Math.round(maxBytes / 1024 / 1024)} MB once decompressed: split it into smaller parts.`);
    if (start < buf.length) {
      if (skipping || buf.length - start > maxLineBytes) skipping = true;
      else carry = buf.subarray(start);
    }
  }
  if (!sawAny) throw new LogInputError("The file is empty.");
  if (skipping) yield [{ lineNo: lineNo + 1, tooLong: true, endOffset: offset }];
  else if (carry && carry.length) {
    let stop = carry.length;
    if (carry[stop - 1] === 13) stop--;
    yield [{ lineNo: lineNo + 1, text: carry.toString("utf8", 0, stop), endOffset: offset }];
  }
}
