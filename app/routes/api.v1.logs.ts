import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { requireApiToken } from "~/api-auth.server";
import { FORMATS } from "~/domain/log-parse";
import { LogInputError } from "~/log-input.server";
import { PUSH_MAX_BYTES, recordApiTokenUse, SourceNameSchema } from "~/models/api-token.server";
import { createImportDetector } from "~/models/detection.server";
import { importLogs, LogImportError } from "~/models/log-import.server";

// POST /api/v1/logs (issue 6 point 3c): gateways and log shippers (Vector, Fluent Bit) push access logs
// with a bearer token of scope logs:write. The body is NDJSON or any supported format (?format=,
// default auto), plain or gzip (Content-Encoding: gzip or gzip's magic bytes), at most
// MAX_PUSH_BYTES per request, counted as it streams in. The import runs synchronously and answers with
// its summary, so a shipper that gets anything but 200 can simply retry: events are stored once.

const MAX_PUSH_BYTES = PUSH_MAX_BYTES;
const MAX_PUSH_MB = MAX_PUSH_BYTES / 1024 / 1024;
/** A gzip body expands: cap what it may expand to (a 50 MB request of logs compresses ~10×). */
const MAX_PUSH_DECOMPRESSED_BYTES = 20 * MAX_PUSH_BYTES;

const PushQuerySchema = z.object({
  format: z.enum(["auto", ...FORMATS], { error: `format must be auto or one of ${FORMATS.join(", ")}` }).default("auto"),
  source: SourceNameSchema.optional(),
});

/** An input error, so the import is recorded as failed (not interrupted) and keeps what it committed. */
class PushTooLarge extends LogInputError {}

/** The request body's chunks, counting bytes as they pass; throws once more than `limit` arrived. */
async function* limited(body: ReadableStream<Uint8Array> | null, limit: number, seen: { bytes: number; tooLarge: boolean }): AsyncGenerator<Buffer> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen.bytes += value.byteLength;
      if (seen.bytes > limit) {
        seen.tooLarge = true;
        throw new PushTooLarge(`The request body is larger than ${MAX_PUSH_MB} MB.`);
      }
      yield Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
  } finally {
    // Stop reading what the client is still sending (a refused or failed push).
    reader.cancel().catch(() => {});
  }
}

const methodNotAllowed = () => json({ error: "Use POST to push logs." }, { status: 405, headers: { Allow: "POST" } });

export function loader() {
  return methodNotAllowed();
}

export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return methodNotAllowed();
  const token = await requireApiToken(request, "logs:write");
  const ip = context.clientIp;

  const params = Object.fromEntries([...new URL(request.url).searchParams].filter(([k]) => k === "format" || k === "source"));
  const query = PushQuerySchema.safeParse(params);
  if (!query.success) return json({ error: query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  const source = query.data.source ?? token.source;
  const ctx = { actor: null, ip };

  const encoding = request.headers.get("Content-Encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "gzip" && encoding !== "identity") {
    return json({ error: `Content-Encoding ${encoding.slice(0, 40)} is not supported: send plain text or gzip.` }, { status: 415 });
  }
  const declared = Number(request.headers.get("Content-Length"));
  if (Number.isFinite(declared) && declared > MAX_PUSH_BYTES) {
    recordApiTokenUse(ctx, token, { importId: null, source, outcome: "too_large", status: 413, error: `Content-Length ${declared}` });
    return json({ error: `The request body is larger than ${MAX_PUSH_MB} MB: split it into smaller requests.`, limitBytes: MAX_PUSH_BYTES }, { status: 413 });
  }

  const seen = { bytes: 0, tooLarge: false };
  try {
    // Content-Encoding: gzip needs nothing special: the body is gzip bytes, recognised by their magic.
    const summary = await importLogs({ via: "push", input: limited(request.body, MAX_PUSH_BYTES, seen), source, format: query.data.format, ctx, sizeBytes: null, maxDecompressedBytes: MAX_PUSH_DECOMPRESSED_BYTES, ...createImportDetector() });
    recordApiTokenUse(ctx, token, { importId: summary.importId, source, outcome: "imported", status: 200, parsed: summary.parsed, duplicates: summary.duplicates });
    return json(summary, { status: 200 });
  } catch (error) {
    const importId = error instanceof LogImportError ? error.importId : null;
    if (seen.tooLarge) {
      // Whatever was committed before the limit stays (and is consistent); a retry in smaller pieces stores the rest, nothing twice.
      const message = `The request body is larger than ${MAX_PUSH_MB} MB: split it into smaller requests. Events committed before the limit are kept; resending them is harmless.`;
      recordApiTokenUse(ctx, token, { importId, source, outcome: "too_large", status: 413, error: `over ${MAX_PUSH_BYTES} bytes` });
      return json({ error: message, importId, limitBytes: MAX_PUSH_BYTES }, { status: 413 });
    }
    // LogImportError, or the input's own errors (empty, binary, broken gzip) met before the import started.
    if (error instanceof LogInputError) {
      recordApiTokenUse(ctx, token, { importId, source, outcome: "rejected", status: 400, error: error.message });
      return json({ error: error.message, importId }, { status: 400 });
    }
    throw error;
  }
}
