import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { jobMarks, outbox } from "../../db/schema";
import { attestationAnswers, attestationEvidence } from "../../db/schema-attestations";
import { rotateSigningKey, getJwks } from "~/jwt.server";
import { addDays, isoDay } from "~/domain/attestation-schedule";
import { listAnswers, getAttestationSummary, listGaps, updateGap, saveAnswers, submitAttestation, replyToQuestion, requestAttestations, listAttestations } from "~/models/attestation.server";
import { decideAttestation } from "~/models/attestation-review.server";
import { ensureReceipt, verifyReceipt } from "~/models/attestation-receipt.server";
import { attestationStatusFor } from "~/models/attestation-status.server";
import { createDraft, currentTemplate, editDraft, getTemplate, publishDraft } from "~/models/attestation-template.server";
import { evidencePath, getEvidence, listEvidence, storeEvidence } from "~/models/evidence.server";
import { attestationReminders, requestOnCadence } from "~/models/attestation-jobs.server";
import { attestationGateMessage } from "~/models/attestation-policy.server";
import { attestationEvidenceFiles } from "~/models/attestation-evidence.server";
import { acceptedAttestation, fillAttestation, receivedFile, requestFor, submitFilled } from "../support/attestation-factory";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";
import { createCredential, createWebhook, seedCatalog } from "../support/credential-factory";
import type { Actor } from "~/domain/actor";

let w: Awaited<ReturnType<typeof tenancyWorld>>;
let vm: Actor, pa: Actor, pm: Actor, ca: Actor, oa: Actor;

beforeAll(async () => {
  w = await tenancyWorld();
  [vm, pa, pm, ca, oa] = [w.vm, w.partnerAdmin, w.partnerMember, w.contractorAdmin, w.otherAdmin].map((u) => actorFor(u.id));
});

describe("tenancy of answers and evidence", () => {
  it("another tenant cannot read or write a partner's answers or evidence; a contractor cannot read its sponsor's", async () => {
    const att = requestFor(vm, w.partner.slug);
    await fillAttestation(pm, att.id);
    expect(listAnswers(att.id, att.orgId).length).toBeGreaterThan(10);
    const ev = listEvidence(pm, att.id);
    expect(ev.length).toBeGreaterThan(0);
    expect(fs.existsSync(evidencePath(ev[0].sha256))).toBe(true);

    for (const outsider of [oa, ca]) {
      expect(getAttestationSummary(outsider, att.id)).toBeNull();
      expect(listEvidence(outsider, att.id)).toEqual([]);
      expect(getEvidence(outsider, ev[0].id)).toBeNull();
      expect(listAttestations(outsider, {}, new Date()).rows.map((r) => r.id)).not.toContain(att.id);
    }
    // The partner sees its contractor's attestations, not the other way round.
    const catt = requestFor(vm, w.contractor.slug);
    expect(getAttestationSummary(pa, catt.id)?.id).toBe(catt.id);
    // Answers are stored with their organisation: a query through another org id finds nothing.
    expect(listAnswers(att.id, w.other.id)).toEqual([]);
    const rows = getDb().select().from(attestationAnswers).where(eq(attestationAnswers.attestationId, att.id)).all();
    expect(new Set(rows.map((r) => r.orgId))).toEqual(new Set([w.partner.id]));
    expect(new Set(getDb().select().from(attestationEvidence).where(eq(attestationEvidence.attestationId, att.id)).all().map((r) => r.orgId))).toEqual(new Set([w.partner.id]));
  });

  it("refuses answers of the wrong kind, naming the field, and saves nothing", () => {
    const org = createOrg({ kind: "partner" });
    const att = requestFor(vm, org.slug);
    const r = saveAnswers({ actor: vm, ip: null }, att, [
      { controlId: "AC-01", value: "yes", comment: null },
      { controlId: "AC-04", value: "A vault I made up", comment: null },
    ]);
    expect(r).toEqual({ ok: false, errors: { "value:AC-04": ["Choose one of the options"] } });
    expect(listAnswers(att.id, att.orgId)).toEqual([]);
  });

  it("stores identical bytes once, and refuses a disguised binary", async () => {
    const org = createOrg({ kind: "partner" });
    const admin = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    const att = requestFor(vm, org.slug);
    const ids = getTemplate(att.templateId)!.controls.map((c) => c.id);
    const meta = { controlId: "AC-01", effectiveDate: "2026-01-01", expiresOn: "2027-01-01" };
    expect((await storeEvidence({ actor: admin, ip: null }, { id: att.id, orgId: att.orgId, controlIds: ids }, receivedFile("same bytes", "a.txt"), meta)).ok).toBe(true);
    expect((await storeEvidence({ actor: admin, ip: null }, { id: att.id, orgId: att.orgId, controlIds: ids }, receivedFile("same bytes", "b.txt"), meta)).ok).toBe(true);
    const list = listEvidence(admin, att.id);
    expect(list).toHaveLength(2);
    expect(list[0].sha256).toBe(list[1].sha256);
    expect(list[0]).toMatchObject({ effectiveDate: "2026-01-01", expiresOn: "2027-01-01", mediaType: "text/plain" });
    const exe = receivedFile(Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]), "policy.pdf");
    const refused = await storeEvidence({ actor: admin, ip: null }, { id: att.id, orgId: att.orgId, controlIds: ids }, exe, meta);
    expect(refused).toMatchObject({ ok: false, status: 400 });
    expect(fs.existsSync(exe.path)).toBe(false);
  });
});

describe("templates", () => {
  it("publishes the default, edits a draft, publishes it; published versions never change and old attestations keep theirs", () => {
    const v1 = currentTemplate();
    const att = requestFor(vm, createOrg({ kind: "partner" }).slug);
    expect(att.templateId).toBe(v1.id);
    const draft = createDraft({ actor: vm, ip: null });
    expect(draft.version).toBe(v1.version + 1);
    expect(editDraft({ actor: vm, ip: null }, draft.id, { op: "add", control: { id: "AC-99", text: "A new control for the test", type: "detective", nature: "automated", answerKind: "text", evidenceRequired: false, weight: 2 } }).ok).toBe(true);
    expect(editDraft({ actor: vm, ip: null }, draft.id, { op: "remove", id: "CF-02" }).ok).toBe(true);
    expect(publishDraft({ actor: vm, ip: null }, draft.id).ok).toBe(true);
    expect(editDraft({ actor: vm, ip: null }, draft.id, { op: "remove", id: "AC-01" })).toMatchObject({ ok: false, message: expect.stringMatching(/published and cannot change/) });
    expect(editDraft({ actor: vm, ip: null }, v1.id, { op: "remove", id: "AC-01" })).toMatchObject({ ok: false });
    expect(currentTemplate().id).toBe(draft.id);
    expect(getTemplate(v1.id)!.controls.map((c) => c.id)).toContain("CF-02");
    expect(getAttestationSummary(vm, att.id)!.templateId).toBe(v1.id);
  });
});

describe("review, gaps and receipts", () => {
  it("clarification on a control keeps the thread; accepting records gaps and issues a verifiable receipt", async () => {
    createWebhook(["*"], w.other.id); // another tenant's receiver hears nothing of this
    const org = createOrg({ kind: "partner" });
    createCredential(org.id); // on the roster, confirmed by submitFilled
    const att = requestFor(vm, org.slug);
    const admin = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    await submitFilled(admin, att.id, { "AC-02": "partial", "RT-02": "no" });
    expect(getAttestationSummary(vm, att.id)!.status).toBe("submitted");

    const ctx = { actor: vm, ip: null };
    expect(await decideAttestation(ctx, getAttestationSummary(vm, att.id)!, { decision: "clarify", notes: null, questions: [{ controlId: "AC-03", body: "Which vault?" }] })).toEqual({ ok: true });
    expect(getAttestationSummary(vm, att.id)!.status).toBe("clarification");
    expect(replyToQuestion({ actor: admin, ip: null }, getAttestationSummary(admin, att.id)!, "AC-03", "HashiCorp Vault, see AC-04")).toEqual({ ok: true });
    expect(submitAttestation({ actor: admin, ip: null }, getAttestationSummary(admin, att.id)!, { name: "Pat Admin", title: "CISO" })).toEqual({ ok: true });
    expect(await decideAttestation(ctx, getAttestationSummary(vm, att.id)!, { decision: "accept", notes: "Thanks" })).toEqual({ ok: true });

    const gaps = listGaps(vm, { attestationId: att.id });
    expect(gaps.map((g) => [g.controlId, g.answer, g.status])).toEqual([
      ["RT-02", "no", "open"],
      ["AC-02", "partial", "open"],
    ]);
    expect(listGaps(oa, { attestationId: att.id })).toEqual([]);
    // The organisation's admin closes a gap; another tenant cannot touch it.
    expect(updateGap({ actor: oa, ip: null }, att.id, gaps[0].id, { owner: "x", dueDate: "2026-12-01", status: "closed" })).toEqual({ ok: false, message: "No such gap." });
    expect(updateGap({ actor: admin, ip: null }, att.id, gaps[0].id, { owner: "Sam Ops", dueDate: "2026-12-15", status: "closed" })).toEqual({ ok: true });
    expect(listGaps(vm, { attestationId: att.id, openOnly: true }).map((g) => g.controlId)).toEqual(["AC-02"]);

    const receipt = (await ensureReceipt(att.id))!; // the stored one: accepted on the review page
    const ok = await verifyReceipt(receipt);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(ok.matchesRecord).toBe(true);
    expect(ok.claims).toMatchObject({ attestationId: att.id, org: { id: att.orgId }, template: { version: att.templateVersion }, period: { start: att.periodStart, end: att.periodEnd }, reviewer: { id: vm.id, email: vm.email }, statement: { name: "Pat Admin", title: "CISO" } });
    expect(ok.claims.answersSha256).toBe(getAttestationSummary(vm, att.id)!.answersSha256);
    expect(ok.claims.evidence.length).toBe(listEvidence(vm, att.id).length);

    // One byte changed anywhere fails.
    const [h, p, s] = receipt.split(".");
    const flip = (t: string, i: number) => t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
    for (const tampered of [`${h}.${flip(p, 40)}.${s}`, `${h}.${p}.${flip(s, 10)}`, `${flip(h, 5)}.${p}.${s}`]) expect((await verifyReceipt(tampered)).ok).toBe(false);

    // Key rotation: the old receipt still verifies (by its kid), against the portal and against the published JWKS.
    const kid = ok.kid;
    const newKid = await rotateSigningKey();
    expect(newKid).not.toBe(kid);
    expect(await verifyReceipt(receipt)).toMatchObject({ ok: true, kid });
    expect(await verifyReceipt(receipt, { jwks: await getJwks() })).toMatchObject({ ok: true, kid });
    expect(await verifyReceipt(receipt, { jwks: { keys: (await getJwks()).keys.filter((k) => k.kid !== kid) } })).toMatchObject({ ok: false });

    const status = attestationStatusFor([att.orgId]).get(att.orgId)!;
    expect(status).toMatchObject({ state: "current", currentUntil: att.periodEnd, openGaps: 1 });

    // The evidence pack's files for this period.
    const files = attestationEvidenceFiles({ from: new Date(Date.now() - 86_400_000), to: new Date(Date.now() + 86_400_000), orgId: att.orgId });
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(["attestations/attestations.csv", "attestations/attestations.json", "attestations/gaps.csv", `attestations/receipts/${att.id}.jws`]));
    expect(files.find((f) => f.path.endsWith(".jws"))!.content).toBe(receipt);
    expect(files.find((f) => f.path === "attestations/gaps.csv")!.content).toContain("Sam Ops");
  });

  it("refuses to submit with blanks, missing evidence or an unconfirmed roster", async () => {
    const org = createOrg({ kind: "partner" });
    createCredential(org.id);
    const admin = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    const att = requestFor(vm, org.slug);
    expect(saveAnswers({ actor: admin, ip: null }, att, [{ controlId: "AC-01", value: "yes", comment: "Okta everywhere" }])).toEqual({ ok: true, saved: 1 });
    const r = submitAttestation({ actor: admin, ip: null }, att, { name: "A", title: "B" });
    expect(r).toMatchObject({ ok: false, message: expect.stringMatching(/Answer every control.*Attach evidence.*Confirm every credential/s) });
  });
});

describe("status, gating and the scheduler", () => {
  it("gates a restricted-tier organisation without a current accepted attestation, with a clear message, until it attests", async () => {
    seedCatalog();
    const org = createOrg({ kind: "partner", tier: "restricted" });
    const admin = actorFor((await createUser({ role: "partner_admin", orgId: org.id })).id);
    const msg = attestationGateMessage(org, ["mythos-preview"]);
    expect(msg).toMatch(/no current accepted attestation.*mythos-preview/);
    expect(attestationGateMessage(org, ["@ga", "opus-4"])).toBeNull();
    expect(attestationGateMessage({ ...org, tier: "standard" }, ["mythos-preview"])).toBeNull();
    await acceptedAttestation(vm, admin, org.slug);
    expect(attestationGateMessage(org, ["mythos-preview"])).toBeNull();
  });

  it("requests on the tier's cadence once, and sends 30/7/1-day and daily overdue reminders once each through the outbox", async () => {
    const org = createOrg({ kind: "partner", tier: "restricted" });
    const hook = createWebhook(["attestation.requested", "attestation.reminder", "attestation.overdue"], org.id);
    const now = new Date();
    const first = requestOnCadence(now);
    expect(first.requested).toBeGreaterThanOrEqual(1);
    expect(requestOnCadence(now)).toEqual({ requested: 0 });
    const att = listAttestations(vm, { orgId: org.id }, now).rows[0];
    expect(att).toMatchObject({ via: "cadence", periodStart: isoDay(now), dueDate: addDays(isoDay(now), 30) });

    const at = (daysBeforeDue: number) => new Date(Date.parse(`${att.dueDate}T12:00:00Z`) - daysBeforeDue * 86_400_000);
    const events = () => getDb().select().from(outbox).where(eq(outbox.webhookId, hook.id)).all().map((r) => JSON.parse(r.payload).data.stage as string | undefined).filter(Boolean);
    attestationReminders(at(30));
    attestationReminders(at(29));
    attestationReminders(at(7));
    attestationReminders(at(7));
    attestationReminders(at(1));
    attestationReminders(at(-1));
    attestationReminders(at(-1));
    attestationReminders(at(-2));
    expect(events()).toEqual(["due-in-30d", "due-in-7d", "due-in-1d", `overdue-${addDays(att.dueDate, 1)}`, `overdue-${addDays(att.dueDate, 2)}`]);
    expect(getDb().select().from(jobMarks).all().filter((m) => m.key.includes(att.id))).toHaveLength(5);
    expect(attestationStatusFor([org.id], at(-1)).get(org.id)!.state).toBe("overdue");
  });

  it("a request to a whole tier skips organisations with an open attestation", () => {
    const a = createOrg({ kind: "partner", tier: "standard" });
    requestFor(vm, a.slug);
    const today = isoDay(new Date());
    const r = requestAttestations({ actor: vm, ip: null }, { tier: "standard" }, { periodStart: today, periodEnd: addDays(today, 364), dueDate: addDays(today, 14) });
    expect(r.skipped.map((s) => s.orgSlug)).toContain(a.slug);
    expect(r.created.length).toBeGreaterThan(0);
  });
});
