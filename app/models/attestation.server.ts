import { and, asc, desc, eq, inArray, isNull, lt, ne, notInArray, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb, type Tx } from "../../db/client";
import { credentials, organizations, users } from "../../db/schema";
import { attestationAnswers, attestationEvidence, attestationGaps, attestationMessages, attestationRoster, attestations, attestationTemplates } from "../../db/schema-attestations";
import type { ActionContext, Actor } from "~/domain/actor";
import { answerProblem, type Answer } from "~/domain/attestation-answers";
import { isoDay } from "~/domain/attestation-schedule";
import { scoreAttestation, submissionBlockers } from "~/domain/attestation-scoring";
import type { OrgTier } from "~/domain/organization";
import { pageWindow } from "~/domain/pagination";
import { writeAudit } from "./audit.server";
import { attestationStatusFor } from "./attestation-status.server";
import { enqueueEvent } from "./outbox.server";
import { scopeFor, scopeWhere } from "./scope.server";
import { currentTemplate } from "./attestation-template.server";

// Attestations (issue 4): requests, answers, roster, submission. Review and receipts live in
// attestation-review.server.ts, evidence files in evidence.server.ts. Every read is scoped to the
// actor's tenants in its `where`; another tenant's attestation is simply not found.

export type AttestationStatus = (typeof attestations.$inferSelect)["status"];
/** Statuses in which the partner can still change answers. */
export const OPEN_FOR_ANSWERS: AttestationStatus[] = ["requested", "in_progress", "clarification"];
/** Not yet decided: an open request. */
export const OPEN_STATUSES: AttestationStatus[] = ["requested", "in_progress", "submitted", "clarification"];

const requester = alias(users, "requester");

export const attestationColumns = {
  id: attestations.id,
  orgId: attestations.orgId,
  orgSlug: organizations.slug,
  orgName: organizations.name,
  orgKind: organizations.kind,
  orgTier: organizations.tier,
  templateId: attestations.templateId,
  templateVersion: attestationTemplates.version,
  templateName: attestationTemplates.name,
  periodStart: attestations.periodStart,
  periodEnd: attestations.periodEnd,
  dueDate: attestations.dueDate,
  status: attestations.status,
  via: attestations.via,
  requestedByName: requester.name,
  submittedAt: attestations.submittedAt,
  statementName: attestations.statementName,
  statementTitle: attestations.statementTitle,
  statementText: attestations.statementText,
  reviewerId: attestations.reviewerId,
  reviewedAt: attestations.reviewedAt,
  decisionNotes: attestations.decisionNotes,
  answersSha256: attestations.answersSha256,
  score: attestations.score,
  hasReceipt: sql<number>`${attestations.receipt} is not null`.mapWith(Boolean),
  createdAt: attestations.createdAt,
};

function attestationQuery() {
  return getDb()
    .select(attestationColumns)
    .from(attestations)
    .innerJoin(organizations, eq(organizations.id, attestations.orgId))
    .innerJoin(attestationTemplates, eq(attestationTemplates.id, attestations.templateId))
    .leftJoin(requester, eq(requester.id, attestations.requestedById));
}

export type AttestationSummary = Awaited<ReturnType<typeof getAttestationSummary>> & {};

/** One attestation within the actor's scope, or null. */
export function getAttestationSummary(actor: Actor, id: string) {
  return attestationQuery()
    .where(and(eq(attestations.id, id), scopeWhere(scopeFor(actor), attestations.orgId)))
    .get() ?? null;
}

export type AttestationListFilter = { status?: AttestationStatus | "open" | "overdue" | "due_soon"; orgId?: string; page?: number };

/** The actor's attestations, newest due first; "open", "overdue" and "due soon" are the review queue's views. */
export function listAttestations(actor: Actor, f: AttestationListFilter, now: Date, pageSize = 25) {
  const today = isoDay(now);
  const soon = isoDay(new Date(now.getTime() + 7 * 86_400_000));
  const conds = [scopeWhere(scopeFor(actor), attestations.orgId), f.orgId ? eq(attestations.orgId, f.orgId) : undefined];
  if (f.status === "open") conds.push(inArray(attestations.status, OPEN_STATUSES));
  else if (f.status === "overdue") conds.push(inArray(attestations.status, ["requested", "in_progress", "clarification"]), lt(attestations.dueDate, today));
  else if (f.status === "due_soon") conds.push(inArray(attestations.status, ["requested", "in_progress", "clarification"]), sql`${attestations.dueDate} between ${today} and ${soon}`);
  else if (f.status) conds.push(eq(attestations.status, f.status));
  const where = and(...conds);
  const total = getDb().select({ n: sql<number>`count(*)` }).from(attestations).where(where).get()?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, f.page, pageSize);
  const rows = attestationQuery()
    .where(where)
    .orderBy(f.status === "submitted" ? asc(attestations.submittedAt) : desc(attestations.dueDate), desc(attestations.createdAt))
    .limit(pageSize)
    .offset(offset)
    .all();
  return { rows, total, page, pageCount };
}

// ---- Requests ----

export type RequestTarget = { orgIds: string[] };
export type RequestInput = { periodStart: string; periodEnd: string; dueDate: string };

/** Organisations a request reaches: one by slug, or every active/onboarding organisation of a tier. */
export function requestTargets(target: { orgSlug?: string; tier?: OrgTier }) {
  const db = getDb();
  const base = db.select({ id: organizations.id, slug: organizations.slug, name: organizations.name }).from(organizations);
  if (target.orgSlug) return base.where(and(eq(organizations.slug, target.orgSlug), notInArray(organizations.status, ["offboarded"]))).all();
  if (target.tier) return base.where(and(eq(organizations.tier, target.tier), inArray(organizations.status, ["active", "onboarding"]))).orderBy(asc(organizations.name)).all();
  return [];
}

/**
 * Creates one attestation for an organisation (inside the caller's transaction) against the current
 * template, snapshots its credential roster, audits and announces it. Returns null when the
 * organisation already has an open one (one open request at a time).
 */
export function insertAttestation(tx: Tx, ctx: ActionContext, orgId: string, templateId: string, input: RequestInput, via: "manual" | "cadence"): string | null {
  const open = tx.select({ id: attestations.id }).from(attestations).where(and(eq(attestations.orgId, orgId), inArray(attestations.status, OPEN_STATUSES))).get();
  if (open) return null;
  const now = ctx.now ?? new Date();
  const row = tx
    .insert(attestations)
    .values({ orgId, templateId, ...input, via, requestedById: ctx.actor?.id ?? null, createdAt: now, updatedAt: now })
    .returning({ id: attestations.id })
    .get();
  const creds = tx
    .select({ id: credentials.id, keyId: credentials.keyId, storage: credentials.storage, holderService: credentials.holderService, holderName: users.name })
    .from(credentials)
    .leftJoin(users, eq(users.id, credentials.holderUserId))
    .where(and(eq(credentials.orgId, orgId), inArray(credentials.status, ["active", "suspended"])))
    .orderBy(asc(credentials.keyId))
    .all();
  for (const c of creds) {
    tx.insert(attestationRoster).values({ attestationId: row.id, orgId, credentialId: c.id, keyId: c.keyId, holder: c.holderName ?? c.holderService ?? null, storage: c.storage }).run();
  }
  const org = tx.select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId)).get();
  writeAudit(tx, ctx, { action: "attestation.requested", targetType: "attestation", targetId: row.id, orgId, details: { ...input, via, credentials: creds.length } });
  enqueueEvent(tx, "attestation.requested", { attestationId: row.id, org: org?.slug, dueDate: input.dueDate, periodStart: input.periodStart, periodEnd: input.periodEnd }, { orgId, now });
  return row.id;
}

export type RequestResult = { created: { id: string; orgSlug: string }[]; skipped: { orgSlug: string; reason: string }[] };

/** A vendor manager's request to one organisation or to a whole tier. */
export function requestAttestations(ctx: ActionContext & { actor: Actor }, target: { orgSlug?: string; tier?: OrgTier }, input: RequestInput): RequestResult {
  const template = currentTemplate(ctx);
  const orgs = requestTargets(target);
  const db = getDb();
  return db.transaction((tx) => {
    const out: RequestResult = { created: [], skipped: [] };
    for (const o of orgs) {
      const id = insertAttestation(tx, ctx, o.id, template.id, input, "manual");
      if (id) out.created.push({ id, orgSlug: o.slug });
      else out.skipped.push({ orgSlug: o.slug, reason: "already has an open attestation" });
    }
    return out;
  });
}

// ---- Answers ----

export function listAnswers(attestationId: string, orgId: string): Answer[] {
  return getDb()
    .select({ controlId: attestationAnswers.controlId, value: attestationAnswers.value, comment: attestationAnswers.comment })
    .from(attestationAnswers)
    .where(and(eq(attestationAnswers.attestationId, attestationId), eq(attestationAnswers.orgId, orgId)))
    .all();
}

export type SaveResult = { ok: true; saved: number } | { ok: false; errors: Record<string, string[]> };

/**
 * Saves a draft of answers (any subset of controls). Values are checked against each control's
 * answer kind; a bad value is reported on its field and nothing is saved. Allowed while the
 * attestation is requested, in progress or under clarification.
 */
export function saveAnswers(ctx: ActionContext & { actor: Actor }, att: NonNullable<ReturnType<typeof getAttestationSummary>>, answers: Answer[]): SaveResult {
  const db = getDb();
  const template = db.select({ controls: attestationTemplates.controls }).from(attestationTemplates).where(eq(attestationTemplates.id, att.templateId)).get()!;
  const errors: Record<string, string[]> = {};
  const byId = new Map(template.controls.map((c) => [c.id, c]));
  for (const a of answers) {
    const control = byId.get(a.controlId);
    if (!control) continue;
    const problem = answerProblem(control, a.value);
    if (problem) errors[`value:${a.controlId}`] = [problem];
    if ((a.comment?.length ?? 0) > 2000) errors[`comment:${a.controlId}`] = ["At most 2000 characters"];
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const now = ctx.now ?? new Date();
  return db.transaction((tx): SaveResult => {
    const current = tx.select({ status: attestations.status }).from(attestations).where(and(eq(attestations.id, att.id), eq(attestations.orgId, att.orgId))).get();
    if (!current || !OPEN_FOR_ANSWERS.includes(current.status)) return { ok: false, errors: { form: [`This attestation is ${current?.status ?? "gone"}: answers can no longer change.`] } };
    const existing = new Map(listAnswersTx(tx, att.id, att.orgId).map((a) => [a.controlId, a]));
    let saved = 0;
    for (const a of answers) {
      if (!byId.has(a.controlId)) continue;
      const value = a.value?.trim() || null;
      const comment = a.comment?.trim() || null;
      const before = existing.get(a.controlId);
      if (before && before.value === value && before.comment === comment) continue;
      if (!before && value === null && comment === null) continue;
      tx.insert(attestationAnswers)
        .values({ attestationId: att.id, orgId: att.orgId, controlId: a.controlId, value, comment, updatedById: ctx.actor.id, updatedAt: now })
        .onConflictDoUpdate({ target: [attestationAnswers.attestationId, attestationAnswers.controlId], set: { value, comment, updatedById: ctx.actor.id, updatedAt: now } })
        .run();
      saved++;
    }
    if (current.status === "requested") tx.update(attestations).set({ status: "in_progress", updatedAt: now }).where(eq(attestations.id, att.id)).run();
    if (saved) writeAudit(tx, ctx, { action: "attestation.answers_saved", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { controls: saved } });
    return { ok: true, saved };
  });
}

function listAnswersTx(tx: Tx, attestationId: string, orgId: string) {
  return tx
    .select({ controlId: attestationAnswers.controlId, value: attestationAnswers.value, comment: attestationAnswers.comment })
    .from(attestationAnswers)
    .where(and(eq(attestationAnswers.attestationId, attestationId), eq(attestationAnswers.orgId, orgId)))
    .all();
}

// ---- Roster ----

export function listRoster(attestationId: string, orgId: string) {
  return getDb()
    .select({
      credentialId: attestationRoster.credentialId,
      keyId: attestationRoster.keyId,
      label: credentials.label,
      status: credentials.status,
      stillNeeded: attestationRoster.stillNeeded,
      holder: attestationRoster.holder,
      storage: attestationRoster.storage,
      confirmedAt: attestationRoster.confirmedAt,
    })
    .from(attestationRoster)
    .leftJoin(credentials, eq(credentials.id, attestationRoster.credentialId))
    .where(and(eq(attestationRoster.attestationId, attestationId), eq(attestationRoster.orgId, orgId)))
    .orderBy(asc(attestationRoster.keyId))
    .all();
}

export type RosterInput = { credentialId: string; stillNeeded: boolean; holder: string; storage: string };

/** Confirms one credential of the roster: still needed (or not: revocation is asked for at submission), who holds it, where it is stored. */
export function confirmRosterEntry(ctx: ActionContext & { actor: Actor }, att: { id: string; orgId: string }, input: RosterInput): { ok: true } | { ok: false; errors: Record<string, string[]> } {
  const db = getDb();
  const now = ctx.now ?? new Date();
  return db.transaction((tx) => {
    const current = tx.select({ status: attestations.status }).from(attestations).where(and(eq(attestations.id, att.id), eq(attestations.orgId, att.orgId))).get();
    if (!current || !OPEN_FOR_ANSWERS.includes(current.status)) return { ok: false, errors: { form: ["This attestation can no longer change."] } };
    const changed = tx
      .update(attestationRoster)
      .set({ stillNeeded: input.stillNeeded, holder: input.holder, storage: input.storage, confirmedById: ctx.actor.id, confirmedAt: now })
      .where(and(eq(attestationRoster.attestationId, att.id), eq(attestationRoster.orgId, att.orgId), eq(attestationRoster.credentialId, input.credentialId)))
      .returning({ keyId: attestationRoster.keyId })
      .get();
    if (!changed) return { ok: false, errors: { form: ["That credential is not on this attestation's roster."] } };
    if (current.status === "requested") tx.update(attestations).set({ status: "in_progress", updatedAt: now }).where(eq(attestations.id, att.id)).run();
    writeAudit(tx, ctx, { action: "attestation.roster_confirmed", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { keyId: changed.keyId, stillNeeded: input.stillNeeded, storage: input.storage } });
    return { ok: true };
  });
}

// ---- Submission ----

export function evidenceControlIds(attestationId: string, orgId: string): Set<string> {
  return new Set(
    getDb()
      .select({ controlId: attestationEvidence.controlId })
      .from(attestationEvidence)
      .where(and(eq(attestationEvidence.attestationId, attestationId), eq(attestationEvidence.orgId, orgId)))
      .all()
      .flatMap((r) => (r.controlId ? [r.controlId] : [])),
  );
}

export type Statement = { name: string; title: string };
export const STATEMENT_TEXT =
  "I confirm that the answers and evidence in this attestation are accurate and complete to the best of my knowledge, and that the controls described operate in practice.";

/**
 * A partner admin submits with a signed statement. Refused while controls are unanswered, required
 * evidence is missing, or roster entries are unconfirmed. Credentials marked "not needed" are announced
 * for revocation. A resubmission after clarification resolves the open questions (the thread is kept).
 */
export function submitAttestation(ctx: ActionContext & { actor: Actor }, att: NonNullable<ReturnType<typeof getAttestationSummary>>, statement: Statement): { ok: true } | { ok: false; message: string } {
  const db = getDb();
  const now = ctx.now ?? new Date();
  const template = db.select({ controls: attestationTemplates.controls }).from(attestationTemplates).where(eq(attestationTemplates.id, att.templateId)).get()!;
  return db.transaction((tx) => {
    const current = tx.select({ status: attestations.status }).from(attestations).where(and(eq(attestations.id, att.id), eq(attestations.orgId, att.orgId))).get();
    if (!current || !OPEN_FOR_ANSWERS.includes(current.status)) return { ok: false, message: `This attestation is ${current?.status ?? "gone"}: it cannot be submitted.` };
    const scoring = scoreAttestation(template.controls, listAnswersTx(tx, att.id, att.orgId), evidenceControlIds(att.id, att.orgId));
    const blockers = submissionBlockers(scoring);
    const roster = tx.select({ keyId: attestationRoster.keyId, credentialId: attestationRoster.credentialId, confirmedAt: attestationRoster.confirmedAt, stillNeeded: attestationRoster.stillNeeded }).from(attestationRoster).where(and(eq(attestationRoster.attestationId, att.id), eq(attestationRoster.orgId, att.orgId))).all();
    const unconfirmed = roster.filter((r) => !r.confirmedAt).map((r) => r.keyId);
    if (unconfirmed.length) blockers.push(`Confirm every credential on the roster (${unconfirmed.join(", ")}).`);
    if (blockers.length) return { ok: false, message: blockers.join(" ") };
    tx.update(attestations)
      .set({ status: "submitted", submittedAt: now, submittedById: ctx.actor.id, statementName: statement.name, statementTitle: statement.title, statementText: STATEMENT_TEXT, score: scoring.score, updatedAt: now })
      .where(eq(attestations.id, att.id))
      .run();
    tx.update(attestationMessages).set({ resolvedAt: now }).where(and(eq(attestationMessages.attestationId, att.id), eq(attestationMessages.kind, "question"), isNull(attestationMessages.resolvedAt))).run();
    for (const r of roster.filter((x) => x.stillNeeded === false)) {
      enqueueEvent(tx, "credential.revocation_requested", { keyId: r.keyId, org: att.orgSlug, attestationId: att.id, reason: "Marked not needed in the attestation roster" }, { orgId: att.orgId, now });
    }
    writeAudit(tx, ctx, {
      action: current.status === "clarification" ? "attestation.resubmitted" : "attestation.submitted",
      targetType: "attestation",
      targetId: att.id,
      orgId: att.orgId,
      details: { statementName: statement.name, statementTitle: statement.title, score: scoring.score, gaps: scoring.gaps.length, revocationsRequested: roster.filter((x) => x.stillNeeded === false).map((r) => r.keyId) },
    });
    enqueueEvent(tx, "attestation.submitted", { attestationId: att.id, org: att.orgSlug }, { orgId: att.orgId, now });
    return { ok: true };
  });
}

// ---- Thread ----

export function listMessages(attestationId: string, orgId: string) {
  return getDb()
    .select({ id: attestationMessages.id, controlId: attestationMessages.controlId, kind: attestationMessages.kind, body: attestationMessages.body, authorName: users.name, createdAt: attestationMessages.createdAt, resolvedAt: attestationMessages.resolvedAt })
    .from(attestationMessages)
    .leftJoin(users, eq(users.id, attestationMessages.authorId))
    .where(and(eq(attestationMessages.attestationId, attestationId), eq(attestationMessages.orgId, orgId)))
    .orderBy(asc(attestationMessages.createdAt), asc(attestationMessages.id))
    .all();
}

/** The partner's reply to a question on a control, while clarification is asked. */
export function replyToQuestion(ctx: ActionContext & { actor: Actor }, att: { id: string; orgId: string }, controlId: string, body: string): { ok: true } | { ok: false; message: string } {
  const db = getDb();
  const now = ctx.now ?? new Date();
  return db.transaction((tx) => {
    const current = tx.select({ status: attestations.status }).from(attestations).where(and(eq(attestations.id, att.id), eq(attestations.orgId, att.orgId))).get();
    if (current?.status !== "clarification") return { ok: false, message: "No clarification is being asked for." };
    const q = tx.select({ id: attestationMessages.id }).from(attestationMessages).where(and(eq(attestationMessages.attestationId, att.id), eq(attestationMessages.controlId, controlId), eq(attestationMessages.kind, "question"))).get();
    if (!q) return { ok: false, message: `No question was asked about ${controlId}.` };
    tx.insert(attestationMessages).values({ attestationId: att.id, orgId: att.orgId, controlId, kind: "reply", body, authorId: ctx.actor.id, createdAt: now }).run();
    writeAudit(tx, ctx, { action: "attestation.clarification_replied", targetType: "attestation", targetId: att.id, orgId: att.orgId, details: { controlId } });
    return { ok: true };
  });
}

// ---- Gaps ----

export function listGaps(actor: Actor, f: { orgId?: string; attestationId?: string; openOnly?: boolean }) {
  return getDb()
    .select({ id: attestationGaps.id, attestationId: attestationGaps.attestationId, orgId: attestationGaps.orgId, orgSlug: organizations.slug, orgName: organizations.name, controlId: attestationGaps.controlId, controlText: attestationGaps.controlText, answer: attestationGaps.answer, owner: attestationGaps.owner, dueDate: attestationGaps.dueDate, status: attestationGaps.status, closedAt: attestationGaps.closedAt })
    .from(attestationGaps)
    .innerJoin(organizations, eq(organizations.id, attestationGaps.orgId))
    .where(
      and(
        scopeWhere(scopeFor(actor), attestationGaps.orgId),
        f.orgId ? eq(attestationGaps.orgId, f.orgId) : undefined,
        f.attestationId ? eq(attestationGaps.attestationId, f.attestationId) : undefined,
        f.openOnly ? ne(attestationGaps.status, "closed") : undefined,
      ),
    )
    .orderBy(asc(attestationGaps.dueDate), asc(attestationGaps.controlId))
    .all();
}

export type GapUpdate = { owner: string; dueDate: string; status: "open" | "in_progress" | "closed" };

/**
 * Vendor managers and the organisation's admin update a gap's owner, due date and status. The gap must
 * belong to `attestationId` (the page the form was posted to, whose permission the caller checked):
 * a gap id from elsewhere in the actor's scope (a partner's contractor's gap) is not found.
 */
export function updateGap(ctx: ActionContext & { actor: Actor }, attestationId: string, gapId: string, input: GapUpdate): { ok: true } | { ok: false; message: string } {
  const db = getDb();
  const now = ctx.now ?? new Date();
  const scope = scopeFor(ctx.actor);
  return db.transaction((tx) => {
    const gap = tx.select().from(attestationGaps).where(and(eq(attestationGaps.id, gapId), eq(attestationGaps.attestationId, attestationId), scopeWhere(scope, attestationGaps.orgId))).get();
    if (!gap) return { ok: false, message: "No such gap." };
    tx.update(attestationGaps)
      .set({ owner: input.owner, dueDate: input.dueDate, status: input.status, closedAt: input.status === "closed" ? (gap.closedAt ?? now) : null })
      .where(eq(attestationGaps.id, gapId))
      .run();
    writeAudit(tx, ctx, { action: "attestation.gap_updated", targetType: "attestation_gap", targetId: gapId, orgId: gap.orgId, details: { controlId: gap.controlId, from: { owner: gap.owner, dueDate: gap.dueDate, status: gap.status }, to: input } });
    return { ok: true };
  });
}

/** The accepted attestation before this one, for the review's side-by-side view. */
export function previousAccepted(att: { id: string; orgId: string; periodStart: string }) {
  return getDb()
    .select({ id: attestations.id, periodStart: attestations.periodStart, periodEnd: attestations.periodEnd, templateId: attestations.templateId, reviewedAt: attestations.reviewedAt })
    .from(attestations)
    .where(and(eq(attestations.orgId, att.orgId), eq(attestations.status, "accepted"), ne(attestations.id, att.id), or(lt(attestations.periodStart, att.periodStart), eq(attestations.periodStart, att.periodStart))))
    .orderBy(desc(attestations.periodEnd))
    .limit(1)
    .get() ?? null;
}

/** Every organisation in scope (not offboarded) with its attestation status: the outstanding view. */
export function listOutstanding(actor: Actor, f: { page?: number; state?: string }, now: Date, pageSize = 50) {
  const db = getDb();
  const orgs = db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, kind: organizations.kind, tier: organizations.tier })
    .from(organizations)
    .where(and(scopeWhere(scopeFor(actor), organizations.id), ne(organizations.status, "offboarded")))
    .orderBy(asc(organizations.name))
    .all();
  const statuses = attestationStatusFor(orgs.map((o) => o.id), now);
  const order = { overdue: 0, missing: 1, due_soon: 2, current: 3 } as const;
  const all = orgs
    .map((o) => ({ ...o, ...statuses.get(o.id)! }))
    .filter((o) => !f.state || o.state === f.state)
    .sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
  const { page, pageCount, offset } = pageWindow(all.length, f.page, pageSize);
  return { rows: all.slice(offset, offset + pageSize), total: all.length, page, pageCount };
}
