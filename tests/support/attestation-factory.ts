import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import type { Actor } from "~/domain/actor";
import { isoDay, addDays } from "~/domain/attestation-schedule";
import { confirmRosterEntry, getAttestationSummary, listRoster, requestAttestations, saveAnswers, submitAttestation } from "~/models/attestation.server";
import { decideAttestation } from "~/models/attestation-review.server";
import { getTemplate } from "~/models/attestation-template.server";
import { evidenceTempPath, storeEvidence } from "~/models/evidence.server";

// Attestations built through the model functions (the same path the pages take).

export function requestFor(vm: Actor, orgSlug: string, opts: { dueDate?: string; periodStart?: string; periodEnd?: string } = {}) {
  const today = isoDay(new Date());
  const r = requestAttestations({ actor: vm, ip: null }, { orgSlug }, { periodStart: opts.periodStart ?? today, periodEnd: opts.periodEnd ?? addDays(today, 89), dueDate: opts.dueDate ?? addDays(today, 30) });
  if (!r.created.length) throw new Error(`no attestation created for ${orgSlug}`);
  return getAttestationSummary(vm, r.created[0].id)!;
}

/** Writes `content` to a temporary upload file, as receiveUpload would have. */
export function receivedFile(content: Buffer | string, fileName: string) {
  const file = evidenceTempPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  fs.writeFileSync(file, bytes);
  return { path: file, fileName, sha256: createHash("sha256").update(bytes).digest("hex"), sizeBytes: bytes.length };
}

/**
 * Answers every control (yes/no controls "yes" unless `overrides` says otherwise), attaches a text
 * evidence file to each control that requires it, and confirms the roster.
 */
export async function fillAttestation(actor: Actor, attestationId: string, overrides: Record<string, string> = {}) {
  const att = getAttestationSummary(actor, attestationId)!;
  const controls = getTemplate(att.templateId)!.controls;
  const answers = controls.map((c) => ({
    controlId: c.id,
    value: overrides[c.id] ?? (c.answerKind === "yes_no" ? "yes" : c.answerKind === "choice" ? c.choices![0] : c.answerKind === "date" ? isoDay(new Date()) : "Jane Roe, CISO, +44 20 0000 0000"),
    comment: null,
  }));
  const saved = saveAnswers({ actor, ip: null }, att, answers);
  if (!saved.ok) throw new Error(JSON.stringify(saved.errors));
  for (const c of controls.filter((x) => x.evidenceRequired)) {
    const r = await storeEvidence({ actor, ip: null }, { id: att.id, orgId: att.orgId, controlIds: controls.map((x) => x.id) }, receivedFile(`evidence for ${c.id} of ${att.id}\n`, `${c.id}.txt`), { controlId: c.id, effectiveDate: isoDay(new Date()), expiresOn: null });
    if (!r.ok) throw new Error(r.message);
  }
  for (const r of listRoster(att.id, att.orgId)) confirmRosterEntry({ actor, ip: null }, att, { credentialId: r.credentialId, stillNeeded: true, holder: r.holder ?? "ops", storage: "secrets_manager" });
  return getAttestationSummary(actor, attestationId)!;
}

export async function submitFilled(admin: Actor, attestationId: string, overrides: Record<string, string> = {}) {
  await fillAttestation(admin, attestationId, overrides);
  const r = submitAttestation({ actor: admin, ip: null }, getAttestationSummary(admin, attestationId)!, { name: "Pat Admin", title: "Head of Security" });
  if (!r.ok) throw new Error(r.message);
}

/** Request → fill → submit → accept: an accepted attestation with its receipt. */
export async function acceptedAttestation(vm: Actor, admin: Actor, orgSlug: string, overrides: Record<string, string> = {}, opts: Parameters<typeof requestFor>[2] = {}) {
  const att = requestFor(vm, orgSlug, opts);
  await submitFilled(admin, att.id, overrides);
  const r = await decideAttestation({ actor: vm, ip: null }, getAttestationSummary(vm, att.id)!, { decision: "accept", notes: null });
  if (!r.ok) throw new Error(r.message);
  return getAttestationSummary(vm, att.id)!;
}
