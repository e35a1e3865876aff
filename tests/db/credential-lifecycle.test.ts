import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, credentialRotations, credentials, outbox } from "../../db/schema";
import { verifyAuditChain, listAuditForTarget } from "~/models/audit.server";
import { changeCredentialGrant, keyIdInUse, listRotations, rotateCredential, setCredentialStatus } from "~/models/credential-lifecycle.server";
import { getCredential } from "~/models/credential.server";
import { getPolicy, updatePolicy } from "~/models/policy.server";
import { listRotationSchedule } from "~/models/rotation-schedule.server";
import { credentialHygiene } from "~/domain/credential-policy";
import { createCredential, createRotation, createWebhook, daysAgo, seedCatalog, setEntitlements, uniqueKeyId } from "../support/credential-factory";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const ip = "203.0.113.9";
const ctxOf = (userId: string, now?: Date) => ({ actor: actorFor(userId), ip, now });
const row = (id: string) => getDb().select().from(credentials).where(eq(credentials.id, id)).get()!;
const auditFor = (id: string) => getDb().select().from(auditLog).where(and(eq(auditLog.targetType, "credential"), eq(auditLog.targetId, id))).all();

beforeAll(() => seedCatalog());

describe("rotate", () => {
  it("records the history, moves the key id, sets the grace end from the tier's policy, and audits", async () => {
    const w = await tenancyWorld();
    const restricted = createOrg({ kind: "partner", tier: "restricted" });
    const member = await createUser({ role: "partner_member", orgId: restricted.id });
    const vm = actorFor(w.vm.id);
    updatePolicy({ actor: vm, ip }, { ...getPolicy("restricted"), rotationGraceHours: 6 });
    const cred = createCredential(restricted.id, { fingerprint: "a".repeat(64) });
    const now = new Date("2026-11-24T12:00:00Z");
    const newKeyId = uniqueKeyId("kw_new");
    const res = rotateCredential(ctxOf(member.id, now), cred.keyId, { newKeyId, fingerprint: "b".repeat(64) });
    expect(res).toEqual({ ok: true, value: { keyId: newKeyId, graceEndsAt: new Date(now.getTime() + 6 * 3_600_000) } });

    const after = row(cred.id);
    expect(after.keyId).toBe(newKeyId);
    expect(after.fingerprint).toBe("b".repeat(64));
    expect(after.lastRotatedAt).toEqual(now);
    const history = getDb().select().from(credentialRotations).where(eq(credentialRotations.credentialId, cred.id)).all();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ oldKeyId: cred.keyId, newKeyId, oldFingerprint: "a".repeat(64), rotatedAt: now, graceEndsAt: new Date(now.getTime() + 6 * 3_600_000), rotatedById: member.id });
    expect(listRotations(cred.id)[0]).toMatchObject({ oldKeyId: cred.keyId, newKeyId });

    const audit = auditFor(cred.id);
    expect(audit.map((a) => a.action)).toEqual(["credential.rotated"]);
    expect(JSON.parse(audit[0].details)).toMatchObject({ oldKeyId: cred.keyId, newKeyId, graceHours: 6 });
    expect(audit[0]).toMatchObject({ orgId: restricted.id, ip, actorId: member.id });

    // the old key id is found by neither URL any more, and is never reusable
    expect(getCredential(actorFor(member.id), cred.keyId)).toBeNull();
    expect(getCredential(actorFor(member.id), newKeyId)?.id).toBe(cred.id);
    expect(keyIdInUse(cred.keyId)).toBe(true);
  });

  it("refuses an old key id, a current one, and an old fingerprint; nothing is written", async () => {
    const w = await tenancyWorld();
    const a = createCredential(w.partner.id, { fingerprint: "c".repeat(64) });
    const b = createCredential(w.partner.id);
    const first = uniqueKeyId();
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), a.keyId, { newKeyId: first }).ok).toBe(true);
    // b cannot take a's old key id (a rotated-out id stays recognisable), nor a's current one
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), b.keyId, { newKeyId: a.keyId })).toMatchObject({ ok: false, status: 400, field: "newKeyId" });
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), b.keyId, { newKeyId: first })).toMatchObject({ ok: false, status: 400, field: "newKeyId" });
    // a cannot rotate back to its own old id
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), first, { newKeyId: a.keyId })).toMatchObject({ ok: false, field: "newKeyId" });
    // the fingerprint of a key rotated out is not a new key
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), b.keyId, { newKeyId: uniqueKeyId(), fingerprint: "c".repeat(64) })).toMatchObject({ ok: false, field: "fingerprint" });
    expect(row(b.id).keyId).toBe(b.keyId);
    expect(auditFor(b.id)).toHaveLength(0);
  });

  it("is refused on revoked and expired credentials, and to security and to a partner on its contractor's credential", async () => {
    const w = await tenancyWorld();
    const security = await createUser({ role: "security" });
    const revoked = createCredential(w.partner.id, { status: "revoked" });
    const pastExpiry = createCredential(w.partner.id, { expiresAt: daysAgo(1) });
    const contractors = createCredential(w.contractor.id);
    const active = createCredential(w.partner.id);
    expect(rotateCredential(ctxOf(w.vm.id), revoked.keyId, { newKeyId: uniqueKeyId() })).toMatchObject({ ok: false, status: 400 });
    expect(rotateCredential(ctxOf(w.vm.id), pastExpiry.keyId, { newKeyId: uniqueKeyId() })).toMatchObject({ ok: false, status: 400 });
    expect(rotateCredential(ctxOf(security.id), active.keyId, { newKeyId: uniqueKeyId() })).toMatchObject({ ok: false, status: 403 });
    expect(rotateCredential(ctxOf(w.partnerAdmin.id), contractors.keyId, { newKeyId: uniqueKeyId() })).toMatchObject({ ok: false, status: 403 });
    expect(rotateCredential(ctxOf(w.otherAdmin.id), active.keyId, { newKeyId: uniqueKeyId() })).toMatchObject({ ok: false, status: 404 });
    expect(getDb().select().from(credentialRotations).where(eq(credentialRotations.credentialId, active.id)).all()).toHaveLength(0);
  });
});

describe("suspend, reactivate, revoke", () => {
  it("revokes with audit and outbox rows in the same change, and cuts a rotated key's grace short", async () => {
    const w = await tenancyWorld();
    const gateway = createWebhook(["credential.revoked", "credential.suspended"]);
    const partnerHook = createWebhook(["credential.revoked"], w.partner.id);
    const otherHook = createWebhook(["credential.revoked"], w.other.id);
    const cred = createCredential(w.partner.id);
    const now = new Date();
    const rotatedTo = uniqueKeyId();
    expect(rotateCredential(ctxOf(w.vm.id, new Date(now.getTime() - 3_600_000)), cred.keyId, { newKeyId: rotatedTo }).ok).toBe(true);
    const res = setCredentialStatus(ctxOf(w.vm.id, now), rotatedTo, "revoke", "Leaked in a public repository");
    expect(res).toEqual({ ok: true, value: { status: "revoked" } });

    const after = row(cred.id);
    expect(after).toMatchObject({ status: "revoked", revokedAt: now, revokedById: w.vm.id, revokedReason: "Leaked in a public repository" });
    const history = getDb().select().from(credentialRotations).where(eq(credentialRotations.credentialId, cred.id)).get()!;
    expect(history.graceEndsAt).toEqual(now);

    const audit = auditFor(cred.id).map((a) => ({ action: a.action, details: JSON.parse(a.details) }));
    expect(audit.map((a) => a.action)).toEqual(["credential.rotated", "credential.revoked"]);
    expect(audit[1].details).toMatchObject({ keyId: rotatedTo, reason: "Leaked in a public repository", from: "active", to: "revoked", graceCutShort: [cred.keyId] });

    const events = getDb().select().from(outbox).where(eq(outbox.event, "credential.revoked")).all();
    const to = (hook: string) => events.filter((e) => e.webhookId === hook);
    expect(to(gateway.id)).toHaveLength(1);
    expect(to(partnerHook.id)).toHaveLength(1);
    expect(to(otherHook.id)).toHaveLength(0);
    const payload = JSON.parse(to(gateway.id)[0].payload);
    expect(payload).toMatchObject({ event: "credential.revoked", data: { keyId: rotatedTo, org: w.partner.slug, reason: "Leaked in a public repository", revokedAt: now.toISOString(), oldKeyIds: [cred.keyId] } });
    expect(verifyAuditChain().ok).toBe(true);
  });

  it("suspends with a reason and reactivates, each audited with an event; a revoked credential cannot be reactivated", async () => {
    const w = await tenancyWorld();
    const security = await createUser({ role: "security" });
    const gateway = createWebhook(["*"]);
    const cred = createCredential(w.partner.id);
    expect(setCredentialStatus(ctxOf(security.id), cred.keyId, "suspend", "Under investigation")).toEqual({ ok: true, value: { status: "suspended" } });
    expect(row(cred.id)).toMatchObject({ status: "suspended", statusReason: "Under investigation" });
    // suspending twice is a state error, not a second event
    expect(setCredentialStatus(ctxOf(security.id), cred.keyId, "suspend", "Again")).toMatchObject({ ok: false, status: 400 });
    expect(setCredentialStatus(ctxOf(security.id), cred.keyId, "reactivate")).toEqual({ ok: true, value: { status: "active" } });
    expect(row(cred.id)).toMatchObject({ status: "active", statusReason: null });
    expect(setCredentialStatus(ctxOf(security.id), cred.keyId, "revoke", "Contract ended")).toMatchObject({ ok: true });
    expect(setCredentialStatus(ctxOf(w.vm.id), cred.keyId, "reactivate")).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("revoked") });
    expect(row(cred.id).status).toBe("revoked");

    expect(auditFor(cred.id).map((a) => a.action)).toEqual(["credential.suspended", "credential.reactivated", "credential.revoked"]);
    const events = getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all();
    expect(events.map((e) => e.event)).toEqual(["credential.suspended", "credential.reactivated", "credential.revoked"]);
    expect(JSON.parse(events[0].payload).data).toMatchObject({ keyId: cred.keyId, reason: "Under investigation" });
  });

  it("refuses partner members, auditors and a partner admin acting on its contractor's key (403), and another tenant (404)", async () => {
    const w = await tenancyWorld();
    const auditor = await createUser({ role: "auditor" });
    const cred = createCredential(w.partner.id);
    const contractorCred = createCredential(w.contractor.id);
    expect(setCredentialStatus(ctxOf(w.partnerMember.id), cred.keyId, "revoke", "mine")).toMatchObject({ ok: false, status: 403 });
    expect(setCredentialStatus(ctxOf(w.partnerAdmin.id), contractorCred.keyId, "revoke", "my contractor's")).toMatchObject({ ok: false, status: 403 });
    expect(setCredentialStatus(ctxOf(auditor.id), cred.keyId, "suspend", "looks odd")).toMatchObject({ ok: false, status: 403 });
    expect(setCredentialStatus(ctxOf(w.otherAdmin.id), cred.keyId, "revoke", "not mine")).toMatchObject({ ok: false, status: 404 });
    expect(row(cred.id).status).toBe("active");
    expect(auditFor(cred.id)).toHaveLength(0);
  });

  it("lets the holding organisation's admin revoke a leaked key at once", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    expect(setCredentialStatus(ctxOf(w.partnerAdmin.id), cred.keyId, "revoke", "pasted in a public issue")).toMatchObject({ ok: true });
    expect(row(cred.id).status).toBe("revoked");
  });
});

describe("change the grant", () => {
  it("lets the holding partner narrow (audited before/after, event queued) but not widen", async () => {
    const w = await tenancyWorld();
    setEntitlements(w.partner.id, ["@ga", "mythos-preview"]);
    const gateway = createWebhook(["credential.grant_changed"]);
    const cred = createCredential(w.partner.id, { grantModels: ["@ga"], grantEndpoints: ["*"] });
    // "@ga" → one GA model and one endpoint is a narrowing
    expect(changeCredentialGrant(ctxOf(w.partnerMember.id), cred.keyId, { models: ["opus-4"], endpoints: ["messages"] })).toEqual({ ok: true, value: { change: "narrowed" } });
    expect(row(cred.id)).toMatchObject({ grantModels: ["opus-4"], grantEndpoints: ["messages"] });
    // back to "@ga", or adding a model or an endpoint, is a widening: refused to a partner with 403
    for (const next of [
      { models: ["@ga"], endpoints: ["messages"] },
      { models: ["opus-4", "sonnet-4"], endpoints: ["messages"] },
      { models: ["opus-4"], endpoints: ["*"] },
    ]) {
      expect(changeCredentialGrant(ctxOf(w.partnerAdmin.id), cred.keyId, next), JSON.stringify(next)).toMatchObject({ ok: false, status: 403 });
    }
    expect(row(cred.id)).toMatchObject({ grantModels: ["opus-4"], grantEndpoints: ["messages"] });
    const audit = auditFor(cred.id);
    expect(audit.map((a) => a.action)).toEqual(["credential.grant_narrowed"]);
    expect(JSON.parse(audit[0].details)).toMatchObject({ before: { models: ["@ga"], endpoints: ["*"] }, after: { models: ["opus-4"], endpoints: ["messages"] } });
    const events = getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].payload).data).toMatchObject({ keyId: cred.keyId, change: "narrowed", models: ["opus-4"], endpoints: ["messages"] });
  });

  it("lets a vendor manager widen within the organisation's entitlements, and refuses beyond them", async () => {
    const w = await tenancyWorld();
    setEntitlements(w.partner.id, ["@ga"], ["messages"]);
    const cred = createCredential(w.partner.id, { grantModels: ["opus-4"], grantEndpoints: ["messages"] });
    const beyond = changeCredentialGrant(ctxOf(w.vm.id), cred.keyId, { models: ["opus-4", "mythos-preview"], endpoints: ["messages"] });
    expect(beyond).toMatchObject({ ok: false, status: 400, field: "grantModels", message: expect.stringContaining("mythos-preview") });
    expect(changeCredentialGrant(ctxOf(w.vm.id), cred.keyId, { models: ["opus-4"], endpoints: ["messages", "batches"] })).toMatchObject({ ok: false, status: 400, field: "grantEndpoints" });
    expect(changeCredentialGrant(ctxOf(w.vm.id), cred.keyId, { models: ["opus-4", "nonexistent-model"], endpoints: ["messages"] })).toMatchObject({ ok: false, status: 400, message: expect.stringContaining("Not in the catalog") });
    expect(changeCredentialGrant(ctxOf(w.vm.id), cred.keyId, { models: ["opus-4"], endpoints: ["messages"] })).toMatchObject({ ok: false, message: "The grant is unchanged." });
    expect(row(cred.id).grantModels).toEqual(["opus-4"]);

    expect(changeCredentialGrant(ctxOf(w.vm.id), cred.keyId, { models: ["@ga"], endpoints: ["messages"] })).toEqual({ ok: true, value: { change: "widened" } });
    expect(row(cred.id).grantModels).toEqual(["@ga"]);
    const audit = auditFor(cred.id);
    expect(audit.map((a) => a.action)).toEqual(["credential.grant_widened"]);
    expect(JSON.parse(audit[0].details)).toMatchObject({ before: { models: ["opus-4"] }, after: { models: ["@ga"] } });
  });

  it("is refused on a revoked credential", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id, { status: "revoked" });
    expect(changeCredentialGrant(ctxOf(w.partnerAdmin.id), cred.keyId, { models: ["opus-4"], endpoints: ["*"] })).toMatchObject({ ok: false, status: 400 });
  });
});

describe("timeline query", () => {
  it("lists a credential's audit rows newest first, and only its own", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const other = createCredential(w.partner.id);
    setCredentialStatus(ctxOf(w.vm.id), cred.keyId, "suspend", "First");
    setCredentialStatus(ctxOf(w.vm.id), other.keyId, "suspend", "Other");
    setCredentialStatus(ctxOf(w.vm.id), cred.keyId, "reactivate");
    const rows = listAuditForTarget("credential", cred.id, 10);
    expect(rows.map((r) => r.action)).toEqual(["credential.reactivated", "credential.suspended"]);
    expect(listAuditForTarget("credential", cred.id, 1)).toHaveLength(1);
  });
});

describe("rotation schedule", () => {
  it("lists overdue and due-soon live credentials by organisation, scoped, agreeing with credentialHygiene", async () => {
    const w = await tenancyWorld();
    const now = new Date("2026-11-24T12:00:00Z");
    const ago = (d: number) => daysAgo(d, now);
    // standard tier: 90 days
    const overdue = createCredential(w.partner.id, { issuedAt: ago(100), label: "overdue" });
    const dueSoon = createCredential(w.partner.id, { issuedAt: ago(200), lastRotatedAt: ago(80), label: "due soon" });
    const atEdge = createCredential(w.partner.id, { issuedAt: ago(90), label: "exactly due" });
    const in20 = createCredential(w.partner.id, { issuedAt: ago(70), label: "in 20 days" });
    const fresh = createCredential(w.partner.id, { issuedAt: ago(5), label: "fresh" });
    const revoked = createCredential(w.partner.id, { issuedAt: ago(300), status: "revoked" });
    const expired = createCredential(w.partner.id, { issuedAt: ago(300), expiresAt: ago(1) });
    const suspended = createCredential(w.partner.id, { issuedAt: ago(95), status: "suspended" });
    const contractors = createCredential(w.contractor.id, { issuedAt: ago(120) });
    const others = createCredential(w.other.id, { issuedAt: ago(400) });

    const vm = actorFor(w.vm.id);
    const scheduled = listRotationSchedule(vm, { withinDays: 14, now });
    const keyIds = scheduled.flatMap((g) => g.rows.map((r) => r.keyId));
    for (const c of [overdue, dueSoon, atEdge, suspended, contractors, others]) expect(keyIds, c.label).toContain(c.keyId);
    for (const c of [in20, fresh, revoked, expired]) expect(keyIds, c.label).not.toContain(c.keyId);
    expect(listRotationSchedule(vm, { withinDays: 30, now }).flatMap((g) => g.rows.map((r) => r.keyId))).toContain(in20.keyId);

    // most urgent organisation first; within it, by due date
    const partnerGroup = scheduled.find((g) => g.orgSlug === w.partner.slug)!;
    expect(partnerGroup.rows.map((r) => r.keyId)).toEqual([overdue.keyId, suspended.keyId, atEdge.keyId, dueSoon.keyId]);
    expect(partnerGroup).toMatchObject({ total: 4, overdue: 3 });
    // the counts cover every row, not only the ones listed (the partner dashboard lists a few)
    const capped = listRotationSchedule(vm, { withinDays: 14, now, perOrg: 1 }).find((g) => g.orgSlug === w.partner.slug)!;
    expect(capped.rows.map((r) => r.keyId)).toEqual([overdue.keyId]);
    expect(capped).toMatchObject({ total: 4, overdue: 3 });
    expect(scheduled[0].orgSlug).toBe(w.other.slug);

    // every row agrees with the domain's arithmetic
    for (const c of [overdue, dueSoon, atEdge, suspended]) {
      const h = credentialHygiene({ status: c.status, issuedAt: c.issuedAt, lastRotatedAt: c.lastRotatedAt ?? null, lastUsedAt: null, expiresAt: null }, getPolicy("standard"), now);
      const r = partnerGroup.rows.find((x) => x.keyId === c.keyId)!;
      expect(r).toMatchObject({ rotationState: h.rotationState, daysUntilRotation: h.daysUntilRotation, dueAt: h.rotationDueAt });
    }
    expect(partnerGroup.rows.find((r) => r.keyId === overdue.keyId)).toMatchObject({ rotationState: "overdue", daysUntilRotation: -10 });
    expect(partnerGroup.rows.find((r) => r.keyId === dueSoon.keyId)).toMatchObject({ rotationState: "due_soon", daysUntilRotation: 10 });

    // a partner sees its org and its contractors; a contractor only its own; the org filter narrows
    const forPartner = listRotationSchedule(actorFor(w.partnerMember.id), { withinDays: 14, now });
    expect(forPartner.map((g) => g.orgSlug).sort()).toEqual([w.partner.slug, w.contractor.slug].sort());
    expect(listRotationSchedule(actorFor(w.contractorAdmin.id), { withinDays: 14, now }).map((g) => g.orgSlug)).toEqual([w.contractor.slug]);
    expect(listRotationSchedule(actorFor(w.partnerMember.id), { withinDays: 14, now, orgSlug: w.other.slug })).toEqual([]);
    expect(listRotationSchedule(vm, { withinDays: 14, now, orgSlug: w.contractor.slug }).map((g) => g.orgSlug)).toEqual([w.contractor.slug]);
  });

  it("uses the restricted tier's shorter maximum and caps each organisation's rows", async () => {
    const restricted = createOrg({ kind: "partner", tier: "restricted" });
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    const now = new Date("2026-11-24T12:00:00Z");
    const max = getPolicy("restricted").maxCredentialAgeDays;
    const c = createCredential(restricted.id, { issuedAt: daysAgo(max + 2, now) });
    for (let i = 0; i < 4; i++) createCredential(restricted.id, { issuedAt: daysAgo(max + 10 + i, now) });
    const groups = listRotationSchedule(vm, { withinDays: 14, now, orgSlug: restricted.slug, perOrg: 3 });
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ total: 5, maxAgeDays: max });
    expect(groups[0].rows).toHaveLength(3);
    expect(groups[0].rows.map((r) => r.keyId)).not.toContain(c.keyId); // the least overdue is cut
    expect(groups[0].rows[0].daysUntilRotation).toBe(-13);
  });
});

// Rotation rows imported without an audit entry still count as rotations for the timeline.
describe("rotation history without audit rows", () => {
  it("are listed by listRotations", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    createRotation(cred.id, { oldKeyId: uniqueKeyId(), newKeyId: cred.keyId, rotatedAt: daysAgo(3), graceEndsAt: daysAgo(2) });
    expect(listRotations(cred.id)).toHaveLength(1);
  });
});
