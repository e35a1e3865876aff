import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type AuditContent = {
  at: number; // ms
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  orgId: string | null;
  details: string; // canonical JSON
  ip: string | null;
};

/** A row's hash: SHA-256 over its id, content and the previous row's hash, in a fixed field order. */
export function auditHash(id: number, content: AuditContent, prevHash: string): string {
  const canonical = JSON.stringify([
    id,
    content.at,
    content.actorId,
    content.actorEmail,
    content.action,
    content.targetType,
    content.targetId,
    content.orgId,
    content.details,
    content.ip,
    prevHash,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * JSON with object keys sorted by code unit (locale-independent), at every depth, so the same details
 * always produce the same text. Array order is kept; undefined values are dropped as JSON does.
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
  return text ?? "null";
}

export type AuditRow = AuditContent & { id: number; prevHash: string; hash: string };
export type ChainResult = { ok: true; checked: number } | { ok: false; checked: number; badRowId: number; reason: string };

/**
 * Walks rows in id order. Detects edits (hash mismatch), deletions in the middle (prevHash does not
 * match the previous row) and deletions at the start (first row's prevHash is not genesis).
 * Truncation of the newest rows is caught by comparing with the stored head (see the model).
 */
export function verifyChain(rows: Iterable<AuditRow>, startPrevHash = GENESIS_HASH): ChainResult {
  let prev = startPrevHash;
  let checked = 0;
  for (const row of rows) {
    if (row.prevHash !== prev) return { ok: false, checked, badRowId: row.id, reason: "previous-hash link broken (a row before it was deleted or edited)" };
    if (auditHash(row.id, row, row.prevHash) !== row.hash) return { ok: false, checked, badRowId: row.id, reason: "content does not match its hash (row edited)" };
    prev = row.hash;
    checked++;
  }
  return { ok: true, checked };
}
