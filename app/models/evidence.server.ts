import fs from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { attestationEvidence, attestations } from "../../db/schema-attestations";
import type { ActionContext, Actor } from "~/domain/actor";
import { classifyEvidence, MAX_EVIDENCE_BYTES } from "~/domain/evidence-file";
import { getEnv } from "~/env.server";
import { writeAudit } from "./audit.server";
import { OPEN_FOR_ANSWERS } from "./attestation.server";
import { scopeFor, scopeWhere } from "./scope.server";

// Evidence files: bytes under KEYWARD_DATA/evidence/<sha256> (stored once however often uploaded),
// one row per upload saying which attestation and control it supports, its effective date and expiry.
// Every read is scoped by the attestation's organisation.

export function evidenceDir() {
  return path.join(getEnv().KEYWARD_DATA, "evidence");
}

/** Where an upload is received before its content is checked. */
export function evidenceTempPath() {
  return path.join(evidenceDir(), "incoming", crypto.randomUUID());
}

export type EvidenceMeta = { controlId: string | null; effectiveDate: string; expiresOn: string | null };
export type Received = { path: string; fileName: string; sha256: string; sizeBytes: number };

export type StoreResult = { ok: true; id: string } | { ok: false; status: 400 | 413; message: string };

/**
 * Checks a received file (size; type by content) and files it under its SHA-256; the temporary file is
 * always gone afterwards. Allowed while the attestation is open for answers.
 */
export async function storeEvidence(ctx: ActionContext & { actor: Actor }, att: { id: string; orgId: string; controlIds: string[] }, file: Received, meta: EvidenceMeta): Promise<StoreResult> {
  try {
    if (file.sizeBytes > MAX_EVIDENCE_BYTES) return { ok: false, status: 413, message: "The file is larger than the 10 MB limit for evidence." };
    if (meta.controlId && !att.controlIds.includes(meta.controlId)) return { ok: false, status: 400, message: "Choose a control of this attestation." };
    const bytes = await fs.promises.readFile(file.path);
    const { fileTypeFromBuffer } = await import("file-type");
    const sniffed = await fileTypeFromBuffer(bytes);
    const kind = classifyEvidence(sniffed ? { ext: sniffed.ext, mime: sniffed.mime } : undefined, bytes, file.fileName);
    if (!kind.ok) return { ok: false, status: 400, message: kind.message };
    const dest = path.join(evidenceDir(), file.sha256);
    if (!fs.existsSync(dest)) await fs.promises.rename(file.path, dest);
    const db = getDb();
    const now = ctx.now ?? new Date();
    return db.transaction((tx): StoreResult => {
      const current = tx.select({ status: attestations.status }).from(attestations).where(and(eq(attestations.id, att.id), eq(attestations.orgId, att.orgId))).get();
      if (!current || !OPEN_FOR_ANSWERS.includes(current.status)) return { ok: false, status: 400, message: "This attestation can no longer change." };
      const row = tx
        .insert(attestationEvidence)
        .values({ attestationId: att.id, orgId: att.orgId, controlId: meta.controlId, sha256: file.sha256, fileName: file.fileName || "evidence", mediaType: kind.mediaType, sizeBytes: file.sizeBytes, effectiveDate: meta.effectiveDate, expiresOn: meta.expiresOn, uploadedById: ctx.actor.id, createdAt: now })
        .returning({ id: attestationEvidence.id })
        .get();
      if (current.status === "requested") tx.update(attestations).set({ status: "in_progress", updatedAt: now }).where(eq(attestations.id, att.id)).run();
      writeAudit(tx, ctx, { action: "attestation.evidence_uploaded", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { evidenceId: row.id, sha256: file.sha256, fileName: file.fileName, mediaType: kind.mediaType, sizeBytes: file.sizeBytes, controlId: meta.controlId, effectiveDate: meta.effectiveDate, expiresOn: meta.expiresOn } });
      return { ok: true, id: row.id };
    });
  } finally {
    await fs.promises.rm(file.path, { force: true });
  }
}

const evidenceColumns = {
  id: attestationEvidence.id,
  attestationId: attestationEvidence.attestationId,
  orgId: attestationEvidence.orgId,
  controlId: attestationEvidence.controlId,
  sha256: attestationEvidence.sha256,
  fileName: attestationEvidence.fileName,
  mediaType: attestationEvidence.mediaType,
  sizeBytes: attestationEvidence.sizeBytes,
  effectiveDate: attestationEvidence.effectiveDate,
  expiresOn: attestationEvidence.expiresOn,
  uploadedByName: users.name,
  createdAt: attestationEvidence.createdAt,
};

/** An attestation's evidence, within the actor's scope (another tenant's list is empty). */
export function listEvidence(actor: Actor, attestationId: string) {
  return getDb()
    .select(evidenceColumns)
    .from(attestationEvidence)
    .leftJoin(users, eq(users.id, attestationEvidence.uploadedById))
    .where(and(eq(attestationEvidence.attestationId, attestationId), scopeWhere(scopeFor(actor), attestationEvidence.orgId)))
    .orderBy(asc(attestationEvidence.controlId), asc(attestationEvidence.createdAt))
    .all();
}

/** One evidence file's record within the actor's scope, or null. */
export function getEvidence(actor: Actor, id: string) {
  return getDb()
    .select(evidenceColumns)
    .from(attestationEvidence)
    .leftJoin(users, eq(users.id, attestationEvidence.uploadedById))
    .where(and(eq(attestationEvidence.id, id), scopeWhere(scopeFor(actor), attestationEvidence.orgId)))
    .get() ?? null;
}

/** The stored bytes' path (the sha256 is a hex digest from our own record, never user input). */
export function evidencePath(sha256: string) {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("bad evidence hash");
  return path.join(evidenceDir(), sha256);
}
