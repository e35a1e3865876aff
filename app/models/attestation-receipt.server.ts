import { and, asc, eq, isNull } from "drizzle-orm";
import type { JWK } from "jose";
import { getDb } from "../../db/client";
import { organizations, users } from "../../db/schema";
import { attestationAnswers, attestationEvidence, attestations, attestationTemplates } from "../../db/schema-attestations";
import { answersSha256 } from "~/domain/attestation-answers";
import { scoreAttestation } from "~/domain/attestation-scoring";
import { signDocument, verifyDocument } from "~/jwt.server";

// Attestation receipts (issue 4 point 5): a JWS (ES256, kid) binding the organisation, template
// version, period, the SHA-256 of the canonical answers, the evidence hashes, the reviewer and the
// time. No expiry: a receipt states what was accepted. Verified against this portal's keys (old keys
// included, so rotation keeps receipts valid) or a JWKS given.

export const RECEIPT_TYP = "keyward-receipt+jwt";
export const RECEIPT_AUDIENCE = "keyward:attestation-receipt";

export type ReceiptClaims = {
  attestationId: string;
  org: { id: string; slug: string; name: string };
  template: { id: string; name: string; version: number };
  period: { start: string; end: string };
  answersSha256: string;
  evidence: { sha256: string; fileName: string; controlId: string | null; effectiveDate: string; expiresOn: string | null }[];
  statement: { name: string; title: string; submittedAt: string };
  reviewer: { id: string; email: string; name: string };
  acceptedAt: string;
  score: number | null;
};

export function evidenceForReceipt(attestationId: string, orgId: string): ReceiptClaims["evidence"] {
  return getDb()
    .select({ sha256: attestationEvidence.sha256, fileName: attestationEvidence.fileName, controlId: attestationEvidence.controlId, effectiveDate: attestationEvidence.effectiveDate, expiresOn: attestationEvidence.expiresOn })
    .from(attestationEvidence)
    .where(and(eq(attestationEvidence.attestationId, attestationId), eq(attestationEvidence.orgId, orgId)))
    .orderBy(asc(attestationEvidence.sha256), asc(attestationEvidence.id))
    .all();
}

export function signReceipt(claims: ReceiptClaims): Promise<string> {
  return signDocument({ receipt: claims }, { audience: RECEIPT_AUDIENCE, typ: RECEIPT_TYP, subject: claims.attestationId });
}

export type ReceiptCheck = { ok: true; kid: string; claims: ReceiptClaims; issuedAt: string; matchesRecord: boolean | null } | { ok: false; reason: string };

/**
 * Verifies a receipt's signature (and typ, issuer, audience); then, when the attestation is in this
 * portal's database, whether the receipt is the one stored for it (matchesRecord).
 */
export async function verifyReceipt(jws: string, opts: { jwks?: { keys: JWK[] }; checkRecord?: boolean } = {}): Promise<ReceiptCheck> {
  const text = jws.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(text)) return { ok: false, reason: "Not a receipt: expected a compact JWS (three base64url parts separated by dots)." };
  const check = await verifyDocument(text, { audience: RECEIPT_AUDIENCE, typ: RECEIPT_TYP, jwks: opts.jwks });
  if (!check.ok) return { ok: false, reason: `The signature does not verify: ${check.reason}` };
  const claims = (check.payload as { receipt?: ReceiptClaims }).receipt;
  if (!claims || typeof claims.attestationId !== "string" || typeof claims.answersSha256 !== "string") return { ok: false, reason: "Signed, but not an attestation receipt (no receipt claims)." };
  let matchesRecord: boolean | null = null;
  if (opts.checkRecord !== false && !opts.jwks) {
    const stored = getDb().select({ receipt: attestations.receipt }).from(attestations).where(eq(attestations.id, claims.attestationId)).get();
    matchesRecord = stored ? stored.receipt === text : null;
  }
  return { ok: true, kid: check.kid, claims, issuedAt: new Date((check.payload.iat ?? 0) * 1000).toISOString(), matchesRecord };
}

export function reviewerIdentity(userId: string) {
  return getDb().select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId)).get()!;
}

/** The receipt's claims for an attestation as stored (answers, evidence, statement), accepted by `reviewerId` at `acceptedAt`. */
export function buildReceiptClaims(attestationId: string, reviewerId: string, acceptedAt: Date): ReceiptClaims {
  const db = getDb();
  const a = db
    .select({ att: attestations, org: { id: organizations.id, slug: organizations.slug, name: organizations.name }, template: { id: attestationTemplates.id, name: attestationTemplates.name, version: attestationTemplates.version, controls: attestationTemplates.controls } })
    .from(attestations)
    .innerJoin(organizations, eq(organizations.id, attestations.orgId))
    .innerJoin(attestationTemplates, eq(attestationTemplates.id, attestations.templateId))
    .where(eq(attestations.id, attestationId))
    .get()!;
  const answers = db
    .select({ controlId: attestationAnswers.controlId, value: attestationAnswers.value, comment: attestationAnswers.comment })
    .from(attestationAnswers)
    .where(and(eq(attestationAnswers.attestationId, attestationId), eq(attestationAnswers.orgId, a.att.orgId)))
    .all();
  return {
    attestationId,
    org: a.org,
    template: { id: a.template.id, name: a.template.name, version: a.template.version },
    period: { start: a.att.periodStart, end: a.att.periodEnd },
    answersSha256: answersSha256(a.template.controls, answers),
    evidence: evidenceForReceipt(attestationId, a.att.orgId),
    statement: { name: a.att.statementName ?? "", title: a.att.statementTitle ?? "", submittedAt: a.att.submittedAt?.toISOString() ?? "" },
    reviewer: reviewerIdentity(reviewerId),
    acceptedAt: acceptedAt.toISOString(),
    score: scoreAttestation(a.template.controls, answers).score,
  };
}

/**
 * Signs and stores the receipt of an accepted attestation that has none yet (attestations accepted
 * outside the review page, such as the demo's), from its stored decision. Returns the receipt.
 */
export async function ensureReceipt(attestationId: string): Promise<string | null> {
  const db = getDb();
  const row = db.select({ status: attestations.status, receipt: attestations.receipt, reviewerId: attestations.reviewerId, reviewedAt: attestations.reviewedAt }).from(attestations).where(eq(attestations.id, attestationId)).get();
  if (!row || row.status !== "accepted") return null;
  if (row.receipt) return row.receipt;
  if (!row.reviewerId || !row.reviewedAt) return null;
  const claims = buildReceiptClaims(attestationId, row.reviewerId, row.reviewedAt);
  const receipt = await signReceipt(claims);
  db.update(attestations).set({ receipt, answersSha256: claims.answersSha256 }).where(and(eq(attestations.id, attestationId), isNull(attestations.receipt))).run();
  return db.select({ receipt: attestations.receipt }).from(attestations).where(eq(attestations.id, attestationId)).get()!.receipt;
}
