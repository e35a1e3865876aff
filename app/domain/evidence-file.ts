// Evidence file rules (issue 4 point 3): which types are accepted, judged by content, never by name.
// The sniffing itself (magic numbers) is file-type's, in models/evidence.server.ts; this module decides.

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
export const ACCEPTED_EVIDENCE = "PDF, PNG, JPEG, XLSX, TXT or CSV";

export type Sniffed = { ext: string; mime: string } | undefined;
export type EvidenceType = { ok: true; mediaType: string } | { ok: false; message: string };

/** Valid UTF-8 without NUL bytes: what counts as a text (TXT/CSV) file. */
export function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** A zip is an XLSX workbook only when it has the xl/ part names of one. */
export function looksLikeXlsx(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes("xl/workbook");
}

/**
 * The media type stored for an upload, from the sniffed signature and the bytes; the file name only
 * decides between text/csv and text/plain for text.
 */
export function classifyEvidence(sniffed: Sniffed, bytes: Uint8Array, fileName: string): EvidenceType {
  const refuse = (what: string): EvidenceType => ({ ok: false, message: `This file's content is ${what}, which is not accepted as evidence: upload ${ACCEPTED_EVIDENCE} (at most 10 MB).` });
  if (bytes.byteLength === 0) return { ok: false, message: "The file is empty." };
  if (sniffed) {
    if (sniffed.ext === "pdf") return { ok: true, mediaType: "application/pdf" };
    if (sniffed.ext === "png") return { ok: true, mediaType: "image/png" };
    if (sniffed.ext === "jpg") return { ok: true, mediaType: "image/jpeg" };
    if (sniffed.ext === "xlsx" || (sniffed.ext === "zip" && looksLikeXlsx(bytes))) {
      return looksLikeXlsx(bytes) ? { ok: true, mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } : refuse("a zip archive that is not an XLSX workbook");
    }
    return refuse(`${sniffed.mime} (.${sniffed.ext})`);
  }
  if (isPlainText(bytes)) return { ok: true, mediaType: /\.csv$/i.test(fileName) ? "text/csv" : "text/plain" };
  return refuse("binary data of an unknown type");
}
