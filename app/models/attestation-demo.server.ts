import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, asc, eq, inArray } from "drizzle-orm";
import { credentials, users } from "../../db/schema";
import { attestationAnswers, attestationEvidence, attestationGaps, attestationMessages, attestationRoster, attestations, attestationTemplates } from "../../db/schema-attestations";
import { addDays, isoDay } from "~/domain/attestation-schedule";
import { gapDueDate, scoreAttestation } from "~/domain/attestation-scoring";
import { DEFAULT_CONTROLS, DEFAULT_TEMPLATE_NAME, type Control } from "~/domain/attestation-template";
import type { DemoIds, DemoTx } from "./demo-seed-areas.server";
import { evidenceDir } from "./evidence.server";

// The demo's attestations (issue 4): one per partner/contractor in each interesting state, so that
// the queue, the review page, gaps, receipts and the "attestation missing" badge all show something.
//   helix-bio (restricted): accepted, current, two open gaps (its receipt is signed on first view)
//   bluefin-data (restricted contractor): requested, overdue, never attested → "attestation missing"
//   northwind: submitted, awaiting review; fabrikam-labs: clarification asked on AC-03
//   contoso-research: requested, due in 20 days; quarry-labeling: in progress, due in 5 days

const answerFor = (c: Control, overrides: Record<string, string>): string =>
  overrides[c.id] ?? (c.answerKind === "yes_no" ? "yes" : c.answerKind === "choice" ? c.choices![1] : c.answerKind === "date" ? "2026-11-02" : "Security on-call, +44 20 7946 0000, security@example.demo");

export function seedAttestationsDemo(tx: DemoTx, ids: DemoIds) {
  const { now, orgIds, userIds, internalIds } = ids;
  const today = isoDay(now);
  const vmId = internalIds.get("vendor_manager") ?? null;
  const template = tx
    .insert(attestationTemplates)
    .values({ name: DEFAULT_TEMPLATE_NAME, version: 1, status: "published", controls: [...DEFAULT_CONTROLS], publishedAt: new Date(now.getTime() - 200 * 86_400_000), publishedById: vmId, createdById: vmId, createdAt: new Date(now.getTime() - 200 * 86_400_000) })
    .returning()
    .get();

  const writeEvidence = (text: string) => {
    const bytes = Buffer.from(text);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    fs.mkdirSync(evidenceDir(), { recursive: true });
    const file = path.join(evidenceDir(), sha256);
    if (!fs.existsSync(file)) fs.writeFileSync(file, bytes);
    return { sha256, sizeBytes: bytes.length };
  };

  type Plan = { org: string; status: (typeof attestations.$inferSelect)["status"]; start: number; length: number; due: number; answered: number; overrides?: Record<string, string>; question?: { controlId: string; body: string } };
  const plans: Plan[] = [
    { org: "helix-bio", status: "accepted", start: -50, length: 90, due: -20, answered: DEFAULT_CONTROLS.length, overrides: { "AC-02": "partial", "RT-02": "no" } },
    { org: "bluefin-data", status: "requested", start: -33, length: 90, due: -3, answered: 0 },
    { org: "northwind", status: "submitted", start: -10, length: 365, due: 10, answered: DEFAULT_CONTROLS.length, overrides: { "LG-02": "partial" } },
    { org: "fabrikam-labs", status: "clarification", start: -12, length: 365, due: 12, answered: DEFAULT_CONTROLS.length, question: { controlId: "AC-03", body: "Your evidence shows the CI pipeline reading the key from a repository variable. Is that variable backed by the secrets manager?" } },
    { org: "contoso-research", status: "requested", start: 0, length: 365, due: 20, answered: 0 },
    { org: "quarry-labeling", status: "in_progress", start: -25, length: 365, due: 5, answered: 6 },
  ];

  for (const p of plans) {
    const orgId = orgIds.get(p.org);
    if (!orgId) continue;
    const adminId = userIds.get(`admin@${p.org}.demo`) ?? null;
    const adminName = adminId ? tx.select({ name: users.name }).from(users).where(eq(users.id, adminId)).get()?.name ?? "Partner admin" : "Partner admin";
    const periodStart = addDays(today, p.start);
    const requestedAt = new Date(now.getTime() + (p.start - 2) * 86_400_000);
    const submitted = ["submitted", "clarification", "accepted"].includes(p.status);
    const submittedAt = submitted ? new Date(now.getTime() + (p.due - 14) * 86_400_000) : null;
    const reviewedAt = p.status === "accepted" ? new Date(now.getTime() + (p.due - 10) * 86_400_000) : null;
    const att = tx
      .insert(attestations)
      .values({
        orgId,
        templateId: template.id,
        periodStart,
        periodEnd: addDays(periodStart, p.length - 1),
        dueDate: addDays(today, p.due),
        status: p.status,
        via: "cadence",
        requestedById: vmId,
        submittedById: submitted ? adminId : null,
        submittedAt,
        statementName: submitted ? adminName : null,
        statementTitle: submitted ? "Head of Information Security" : null,
        statementText: submitted ? "I confirm that the answers and evidence in this attestation are accurate and complete to the best of my knowledge, and that the controls described operate in practice." : null,
        reviewerId: p.status === "accepted" || p.status === "clarification" ? vmId : null,
        reviewedAt,
        decisionNotes: p.status === "accepted" ? "Accepted with two gaps to close." : null,
        createdAt: requestedAt,
        updatedAt: reviewedAt ?? submittedAt ?? requestedAt,
      })
      .returning({ id: attestations.id })
      .get();

    const controls = DEFAULT_CONTROLS.slice(0, p.answered);
    const answers = controls.map((c) => ({ controlId: c.id, value: answerFor(c, p.overrides ?? {}), comment: c.id === "AC-02" && p.overrides?.["AC-02"] ? "Two legacy service accounts still share read access; removal planned." : null }));
    for (const a of answers) tx.insert(attestationAnswers).values({ attestationId: att.id, orgId, ...a, updatedById: adminId, updatedAt: submittedAt ?? now }).run();
    for (const c of controls.filter((x) => x.evidenceRequired && answerFor(x, p.overrides ?? {}) !== "no")) {
      const stored = writeEvidence(`${p.org} evidence for ${c.id}: ${c.text}\nExported ${periodStart} from the identity provider / secrets manager audit trail.\n`);
      tx.insert(attestationEvidence).values({ attestationId: att.id, orgId, controlId: c.id, ...stored, fileName: `${c.id.toLowerCase()}-${p.org}.txt`, mediaType: "text/plain", effectiveDate: periodStart, expiresOn: addDays(periodStart, 365), uploadedById: adminId, createdAt: submittedAt ?? now }).run();
    }
    const creds = tx.select({ id: credentials.id, keyId: credentials.keyId, storage: credentials.storage, holderService: credentials.holderService }).from(credentials).where(and(eq(credentials.orgId, orgId), inArray(credentials.status, ["active", "suspended"]))).orderBy(asc(credentials.keyId)).all();
    creds.forEach((c, i) => {
      const confirmed = submitted || (p.status === "in_progress" && i < 2);
      tx.insert(attestationRoster).values({ attestationId: att.id, orgId, credentialId: c.id, keyId: c.keyId, holder: c.holderService ?? adminName, storage: c.storage, stillNeeded: confirmed ? true : null, confirmedById: confirmed ? adminId : null, confirmedAt: confirmed ? (submittedAt ?? now) : null }).run();
    });
    if (p.question) {
      tx.insert(attestationMessages).values({ attestationId: att.id, orgId, controlId: p.question.controlId, kind: "question", body: p.question.body, authorId: vmId, createdAt: new Date(now.getTime() - 86_400_000) }).run();
    }
    if (p.status === "accepted") {
      const scoring = scoreAttestation(DEFAULT_CONTROLS, answers);
      tx.update(attestations).set({ score: scoring.score }).where(eq(attestations.id, att.id)).run();
      for (const g of scoring.gaps) {
        tx.insert(attestationGaps).values({ attestationId: att.id, orgId, controlId: g.controlId, controlText: g.controlText, answer: g.answer, owner: adminName, dueDate: gapDueDate(g, isoDay(reviewedAt!)), status: g.controlId === "AC-02" ? "in_progress" : "open", createdAt: reviewedAt! }).run();
      }
    } else if (submitted) {
      tx.update(attestations).set({ score: scoreAttestation(DEFAULT_CONTROLS, answers).score }).where(eq(attestations.id, att.id)).run();
    }
  }
}
