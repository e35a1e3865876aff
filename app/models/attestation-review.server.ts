import { and, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { attestationGaps, attestationMessages, attestations, attestationTemplates } from "../../db/schema-attestations";
import type { ActionContext, Actor } from "~/domain/actor";
import { answersSha256 } from "~/domain/attestation-answers";
import { isoDay } from "~/domain/attestation-schedule";
import { gapDueDate, scoreAttestation } from "~/domain/attestation-scoring";
import { writeAudit } from "./audit.server";
import { listAnswers, type getAttestationSummary } from "./attestation.server";
import { buildReceiptClaims, signReceipt } from "./attestation-receipt.server";
import { enqueueEvent } from "./outbox.server";

// A vendor manager's decision on a submitted attestation (issue 4 point 4): accept (gaps recorded,
// receipt signed), reject (with a reason), or ask for clarification on named controls (the questions
// open a thread the partner answers before resubmitting).

type Att = NonNullable<ReturnType<typeof getAttestationSummary>>;
export type Decision =
  | { decision: "accept"; notes: string | null }
  | { decision: "reject"; notes: string }
  | { decision: "clarify"; notes: string | null; questions: { controlId: string; body: string }[] };

export type DecisionResult = { ok: true } | { ok: false; message: string };

export async function decideAttestation(ctx: ActionContext & { actor: Actor }, att: Att, d: Decision): Promise<DecisionResult> {
  const db = getDb();
  const now = ctx.now ?? new Date();
  if (att.status !== "submitted") return { ok: false, message: `This attestation is ${att.status.replace("_", " ")}: only a submitted one can be decided.` };
  const template = db.select().from(attestationTemplates).where(eq(attestationTemplates.id, att.templateId)).get()!;
  const answers = listAnswers(att.id, att.orgId);

  if (d.decision === "clarify") {
    const known = new Set(template.controls.map((c) => c.id));
    const bad = d.questions.filter((q) => !known.has(q.controlId));
    if (bad.length || d.questions.length === 0) return { ok: false, message: "Ask at least one question, each on a control of this template." };
    return db.transaction((tx): DecisionResult => {
      const changed = tx.update(attestations).set({ status: "clarification", reviewerId: ctx.actor.id, decisionNotes: d.notes, updatedAt: now }).where(and(eq(attestations.id, att.id), eq(attestations.status, "submitted"))).run().changes;
      if (!changed) return { ok: false, message: "Someone else decided this attestation meanwhile." };
      for (const q of d.questions) tx.insert(attestationMessages).values({ attestationId: att.id, orgId: att.orgId, controlId: q.controlId, kind: "question", body: q.body, authorId: ctx.actor.id, createdAt: now }).run();
      writeAudit(tx, ctx, { action: "attestation.clarification_requested", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { controls: d.questions.map((q) => q.controlId) } });
      enqueueEvent(tx, "attestation.clarification_requested", { attestationId: att.id, org: att.orgSlug, controls: d.questions.map((q) => q.controlId) }, { orgId: att.orgId, now });
      return { ok: true };
    });
  }

  if (d.decision === "reject") {
    return db.transaction((tx): DecisionResult => {
      const changed = tx.update(attestations).set({ status: "rejected", reviewerId: ctx.actor.id, reviewedAt: now, decisionNotes: d.notes, updatedAt: now }).where(and(eq(attestations.id, att.id), eq(attestations.status, "submitted"))).run().changes;
      if (!changed) return { ok: false, message: "Someone else decided this attestation meanwhile." };
      tx.insert(attestationMessages).values({ attestationId: att.id, orgId: att.orgId, controlId: null, kind: "decision", body: `Rejected: ${d.notes}`, authorId: ctx.actor.id, createdAt: now }).run();
      writeAudit(tx, ctx, { action: "attestation.rejected", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { notes: d.notes } });
      enqueueEvent(tx, "attestation.rejected", { attestationId: att.id, org: att.orgSlug, notes: d.notes }, { orgId: att.orgId, now });
      return { ok: true };
    });
  }

  // Accept: hash the answers, sign the receipt (async, before the transaction), then record it all.
  const hash = answersSha256(template.controls, answers);
  const scoring = scoreAttestation(template.controls, answers);
  const claims = buildReceiptClaims(att.id, ctx.actor.id, now);
  if (claims.answersSha256 !== hash) return { ok: false, message: "The answers changed while being reviewed: reload and review again." };
  const receipt = await signReceipt(claims);
  return db.transaction((tx): DecisionResult => {
    const changed = tx
      .update(attestations)
      .set({ status: "accepted", reviewerId: ctx.actor.id, reviewedAt: now, decisionNotes: d.notes, answersSha256: hash, receipt, score: scoring.score, updatedAt: now })
      .where(and(eq(attestations.id, att.id), eq(attestations.status, "submitted")))
      .run().changes;
    if (!changed) return { ok: false, message: "Someone else decided this attestation meanwhile." };
    const owner = att.statementName || "Partner admin";
    for (const g of scoring.gaps) {
      tx.insert(attestationGaps)
        .values({ attestationId: att.id, orgId: att.orgId, controlId: g.controlId, controlText: g.controlText, answer: g.answer, owner, dueDate: gapDueDate(g, isoDay(now)), createdAt: now })
        .onConflictDoNothing()
        .run();
    }
    if (d.notes) tx.insert(attestationMessages).values({ attestationId: att.id, orgId: att.orgId, controlId: null, kind: "decision", body: `Accepted: ${d.notes}`, authorId: ctx.actor.id, createdAt: now }).run();
    writeAudit(tx, ctx, { action: "attestation.accepted", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { answersSha256: hash, score: scoring.score, gaps: scoring.gaps.map((g) => g.controlId), periodEnd: att.periodEnd } });
    enqueueEvent(tx, "attestation.accepted", { attestationId: att.id, org: att.orgSlug, periodEnd: att.periodEnd, gaps: scoring.gaps.length }, { orgId: att.orgId, now });
    return { ok: true };
  });
}
