import { and, asc, eq, gte, inArray, lte, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { organizations, users } from "../../db/schema";
import { attestationEvidence, attestationGaps, attestations, attestationTemplates } from "../../db/schema-attestations";
import { csvLine } from "./credential-inventory.server";

// The attestations' part of an evidence pack (issue 8): attestations with status, period and reviewer,
// their gaps and evidence files' hashes, and each receipt as a .jws file, for attestations whose
// period overlaps the range, or that were requested, submitted or decided in it.

const reviewer = alias(users, "reviewer");
const csv = (header: string[], rows: (string | number | null | undefined)[][]) => [header, ...rows].map(csvLine).join("");

export function attestationEvidenceFiles(range: { from: Date; to: Date; orgId?: string }): { path: string; content: string }[] {
  const db = getDb();
  const fromDay = range.from.toISOString().slice(0, 10);
  const toDay = range.to.toISOString().slice(0, 10);
  const rows = db
    .select({
      id: attestations.id,
      org: organizations.slug,
      orgName: organizations.name,
      templateVersion: attestationTemplates.version,
      periodStart: attestations.periodStart,
      periodEnd: attestations.periodEnd,
      dueDate: attestations.dueDate,
      status: attestations.status,
      submittedAt: attestations.submittedAt,
      statementName: attestations.statementName,
      statementTitle: attestations.statementTitle,
      reviewer: reviewer.email,
      reviewedAt: attestations.reviewedAt,
      decisionNotes: attestations.decisionNotes,
      score: attestations.score,
      answersSha256: attestations.answersSha256,
      receipt: attestations.receipt,
    })
    .from(attestations)
    .innerJoin(organizations, eq(organizations.id, attestations.orgId))
    .innerJoin(attestationTemplates, eq(attestationTemplates.id, attestations.templateId))
    .leftJoin(reviewer, eq(reviewer.id, attestations.reviewerId))
    .where(
      and(
        range.orgId ? eq(attestations.orgId, range.orgId) : undefined,
        or(
          and(lte(attestations.periodStart, toDay), gte(attestations.periodEnd, fromDay)),
          and(gte(attestations.createdAt, range.from), lte(attestations.createdAt, range.to)),
          and(gte(attestations.reviewedAt, range.from), lte(attestations.reviewedAt, range.to)),
        ),
      ),
    )
    .orderBy(asc(organizations.slug), asc(attestations.periodStart))
    .all();
  const ids = rows.map((r) => r.id);
  const gaps = ids.length
    ? db.select().from(attestationGaps).where(inArray(attestationGaps.attestationId, ids)).orderBy(asc(attestationGaps.attestationId), asc(attestationGaps.controlId)).all()
    : [];
  const evidence = ids.length
    ? db.select().from(attestationEvidence).where(inArray(attestationEvidence.attestationId, ids)).orderBy(asc(attestationEvidence.attestationId), asc(attestationEvidence.controlId)).all()
    : [];
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const slugOf = new Map(rows.map((r) => [r.id, r.org]));
  const records = rows.map(({ receipt, ...r }) => ({ ...r, submittedAt: iso(r.submittedAt), reviewedAt: iso(r.reviewedAt), hasReceipt: receipt !== null }));
  return [
    {
      path: "attestations/attestations.csv",
      content: csv(
        ["id", "org", "orgName", "templateVersion", "periodStart", "periodEnd", "dueDate", "status", "submittedAt", "statementName", "statementTitle", "reviewer", "reviewedAt", "score", "answersSha256", "receipt"],
        records.map((r) => [r.id, r.org, r.orgName, r.templateVersion, r.periodStart, r.periodEnd, r.dueDate, r.status, r.submittedAt, r.statementName, r.statementTitle, r.reviewer, r.reviewedAt, r.score, r.answersSha256, r.hasReceipt ? `receipts/${r.id}.jws` : ""]),
      ),
    },
    {
      path: "attestations/attestations.json",
      content: `${JSON.stringify(
        records.map((r) => ({ ...r, gaps: gaps.filter((g) => g.attestationId === r.id).map((g) => ({ controlId: g.controlId, answer: g.answer, owner: g.owner, dueDate: g.dueDate, status: g.status, closedAt: iso(g.closedAt) })), evidence: evidence.filter((e) => e.attestationId === r.id).map((e) => ({ controlId: e.controlId, fileName: e.fileName, sha256: e.sha256, mediaType: e.mediaType, sizeBytes: e.sizeBytes, effectiveDate: e.effectiveDate, expiresOn: e.expiresOn })) })),
        null,
        2,
      )}\n`,
    },
    {
      path: "attestations/gaps.csv",
      content: csv(
        ["attestationId", "org", "controlId", "control", "answer", "owner", "dueDate", "status", "closedAt"],
        gaps.map((g) => [g.attestationId, slugOf.get(g.attestationId), g.controlId, g.controlText, g.answer, g.owner, g.dueDate, g.status, iso(g.closedAt)]),
      ),
    },
    ...rows.filter((r) => r.receipt).map((r) => ({ path: `attestations/receipts/${r.id}.jws`, content: r.receipt! })),
  ];
}
