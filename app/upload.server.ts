import { createHash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { finished } from "node:stream/promises";
import { unstable_parseMultipartFormData, type UploadHandler } from "@remix-run/node";

// Receiving a file upload without holding it in memory: the multipart body is parsed as it arrives,
// the file part is written to disk chunk by chunk (waiting for the disk when it is slower than the
// network), and its SHA-256 and size are computed on the way. Text fields are small and kept in memory.

/** The largest file accepted by an upload form (gateway logs can be big; the disk is the limit). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const MAX_FIELD_BYTES = 16 * 1024;

export type StoredUpload = { path: string; fileName: string; sha256: string; sizeBytes: number };

/** A problem with the request the user can fix; `message` is safe to show. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413,
  ) {
    super(message);
  }
}

function formatBytes(n: number) {
  return n >= 1024 ** 3 ? `${n / 1024 ** 3} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}

/**
 * Parses a multipart/form-data request. The part named `fileField` that carries a file is streamed to
 * `dest` (created with its folder; never overwritten); other file parts are discarded; text fields are
 * returned. Without a file (or with no file chosen) `file` is null. On any failure nothing is left on disk.
 */
export async function receiveUpload(request: Request, opts: { fileField: string; dest: string; maxBytes?: number }): Promise<{ fields: Record<string, string>; file: StoredUpload | null }> {
  const maxBytes = opts.maxBytes ?? MAX_UPLOAD_BYTES;
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^multipart\/form-data\s*;\s*boundary=/i.test(type) || !request.body) throw new UploadError("Choose a log file to upload (the form must be sent as multipart/form-data).", 400);

  let file: StoredUpload | null = null;
  let wrote = false;
  const fields: Record<string, string> = {};

  const handler: UploadHandler = async (part) => {
    if (typeof part.filename === "string") {
      if (part.name !== opts.fileField || file || wrote) {
        for await (const _chunk of part.data) {
          /* discard: not the file we asked for */
        }
        return undefined;
      }
      file = await writePart(part.data, opts.dest, part.filename, maxBytes);
      wrote = true;
      return undefined;
    }
    let size = 0;
    const chunks: Uint8Array[] = [];
    for await (const chunk of part.data) {
      size += chunk.byteLength;
      if (size > MAX_FIELD_BYTES) throw new UploadError(`The form field ${part.name} is too long.`, 400);
      chunks.push(chunk);
    }
    fields[part.name] ??= Buffer.concat(chunks).toString("utf8");
    return undefined;
  };

  try {
    await unstable_parseMultipartFormData(request, handler);
  } catch (error) {
    await fs.promises.rm(opts.dest, { force: true });
    if (error instanceof UploadError) throw error;
    throw new UploadError("The upload was cut off or is not a valid form submission: try again.", 400);
  }
  return { fields, file };
}

async function writePart(data: AsyncIterable<Uint8Array>, dest: string, clientName: string, maxBytes: number): Promise<StoredUpload | null> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const out = fs.createWriteStream(dest, { flags: "wx" });
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of data) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new UploadError(`The file is larger than the ${formatBytes(maxBytes)} limit for uploads: import it with the CLI (keyward import-logs) instead.`, 413);
      hash.update(chunk);
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    await finished(out).catch(() => {});
    await fs.promises.rm(dest, { force: true });
    throw error;
  }
  // Browsers send an empty part without a name when no file was chosen.
  if (clientName === "" && size === 0) {
    await fs.promises.rm(dest, { force: true });
    return null;
  }
  return { path: dest, fileName: path.basename(clientName).slice(0, 200), sha256: hash.digest("hex"), sizeBytes: size };
}

/** Removes a received file that will not be used (the form had errors). */
export async function discardUpload(file: StoredUpload | null) {
  if (file) await fs.promises.rm(file.path, { force: true });
}
