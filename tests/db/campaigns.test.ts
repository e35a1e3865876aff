import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, credentialShares, flags, organizations, outbox } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { CampaignCreate, DecisionInput } from "~/domain/campaign";
import { bulkDecide, decidableIds, decideItem, listItems, reassignItems, recordFirstPass } from "~/models/campaign-items.server";
import { campaignEvidenceFiles } from "~/models/campaign-evidence.server";
import { firstPassDueFor, listCampaigns, openCampaignProgress } from "~/models/campaign-progress.server";
import { campaignReport, closeCampaign, reportCsv, signedReportJson, verifyReport } from "~/models/campaign-report.server";
import { campaignReminders, openDueCampaigns } from "~/models/campaign-scheduler.server";
import { createCampaign, getCampaign } from "~/models/campaign.server";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";
import { createCredential, createWebhook, daysAgo, seedCatalog } from "../support/credential-factory";

seedCatalog();
const NOW = new Date("2026-11-30T09:00:00Z");
const ctxOf = (userId: string, now = NOW) => ({ actor: actorFor(userId), ip: "203.0.113.9", now });
const base: CampaignCreate = { name: "Q4 access review", orgs: [], tiers: [], models: [], firstPass: false, mode: "full", undecidedRule: "keep", opensOn: "2026-11-30", dueOn: "2026-12-14" };
const d = (decision: DecisionInput["decision"], comment?: string, models: string[] = []): DecisionInput => ({ decision, comment, models, endpoints: [] });

async function world() {
  const w = await tenancyWorld();
  // The partner is owned by the world's vendor manager: its items go to them by default.
  getDb().update(organizations).set({ ownerId: w.vm.id }).where(eq(organizations.id, w.partner.id)).run();
  const unused = createCredential(w.partner.id, { label: "Old batch key", lastUsedAt: daysAgo(60, NOW), lastUsedIp: "198.51.100.4", issuedAt: daysAgo(200, NOW) });
  const fresh = createCredential(w.partner.id, { label: "Live key", lastUsedAt: daysAgo(1, NOW), issuedAt: daysAgo(5, NOW) });
  const contractorKey = createCredential(w.contractor.id, { label: "Contractor key", issuedAt: daysAgo(5, NOW) });
  const otherKey = createCredential(w.other.id, { label: "Other partner key", lastUsedAt: daysAgo(2, NOW), issuedAt: daysAgo(5, NOW) });
  const revoked = createCredential(w.partner.id, { status: "revoked", label: "Gone" });
  getDb().insert(credentialShares).values({ credentialId: fresh.id, orgId: w.contractor.id }).run();
  getDb().insert(flags).values({ rule: "error_burst", severity: "medium", credentialId: fresh.id, orgId: w.partner.id, subjectKey: `cred:${fresh.id}`, firstSeen: 1, lastSeen: 2, summary: "x", windowMs: 1 }).run();
  return { ...w, unused, fresh, contractorKey, otherKey, revoked };
}
const scoped = (w: Awaited<ReturnType<typeof world>>, extra: Partial<CampaignCreate> = {}) => ({ ...base, orgs: [w.partner.slug, w.contractor.slug, w.other.slug], ...extra });

describe("creating and opening a campaign", () => {
  it("snapshots every active credential in scope with the facts, reviewer by default the org's owner", async () => {
    const w = await world();
    const r = createCampaign(ctxOf(w.vm.id), scoped(w));
    expect(r.ok && r.value.items).toBe(4);
    const id = r.ok ? r.value.id : "";
    const { items } = listItems(actorFor(w.vm.id), id, { filters: [] }, NOW);
    const byKey = new Map(items.map((i) => [i.snapshot.keyId, i]));
    expect(byKey.has(w.revoked.keyId)).toBe(false);
    expect(byKey.get(w.unused.keyId)!.snapshot).toMatchObject({ orgSlug: w.partner.slug, holder: "billing-batch", usageState: "unused", lastUsedIp: "198.51.100.4", neverUsed: false, ageDays: 200, maxAgeDays: 90, rotationState: "overdue", attestation: "missing", storage: "secrets_manager" });
    expect(byKey.get(w.fresh.keyId)!.snapshot).toMatchObject({ sharedWith: [w.contractor.slug], openFlags: 1 });
    expect(byKey.get(w.contractorKey.keyId)!.snapshot.neverUsed).toBe(true);
    expect(byKey.get(w.unused.keyId)!.reviewerId).toBe(w.vm.id);
    // The other partner has no owner: the campaign owner reviews.
    expect(byKey.get(w.otherKey.keyId)!.reviewerId).toBe(w.vm.id);
    // Filters.
    expect(listItems(actorFor(w.vm.id), id, { filters: ["unused"] }, NOW).items.map((i) => i.snapshot.keyId).sort()).toEqual([w.unused.keyId, w.contractorKey.keyId].sort());
    expect(listItems(actorFor(w.vm.id), id, { filters: ["shared"] }, NOW).total).toBe(1);
    expect(listItems(actorFor(w.vm.id), id, { filters: ["flagged"] }, NOW).total).toBe(1);
    expect(listItems(actorFor(w.vm.id), id, { filters: ["overdue"] }, NOW).total).toBe(1);
  });

  it("a campaign opening later waits for the scheduler; a tier or model scope selects", async () => {
    const w = await world();
    getDb().update(organizations).set({ tier: "restricted" }).where(eq(organizations.id, w.other.id)).run();
    const later = createCampaign(ctxOf(w.vm.id), { ...scoped(w), opensOn: "2026-12-05", dueOn: "2026-12-20", tiers: ["restricted"] });
    expect(later.ok && later.value.items).toBe(null);
    expect(openDueCampaigns(new Date("2026-12-04T23:00:00Z")).opened).toBe(0);
    expect(openDueCampaigns(new Date("2026-12-05T00:30:00Z")).opened).toBe(1);
    const id = later.ok ? later.value.id : "";
    expect(listItems(actorFor(w.vm.id), id, { filters: [] }, NOW).items.map((i) => i.snapshot.keyId)).toEqual([w.otherKey.keyId]);
    expect(createCampaign(ctxOf(w.vm.id), { ...scoped(w), models: ["nope"] })).toMatchObject({ ok: false, status: 400 });
  });
});

describe("decisions are carried out", () => {
  it("revoke revokes the credential and tells the gateway; keep records the review; unsure escalates; narrow applies the grant", async () => {
    const w = await world();
    const gateway = createWebhook(["credential.revoked", "campaign.item_escalated"]);
    const sec = await createUser({ role: "security" });
    const r = createCampaign(ctxOf(w.vm.id), scoped(w));
    const id = r.ok ? r.value.id : "";
    const item = (keyId: string) => listItems(actorFor(w.vm.id), id, { filters: [] }, NOW).items.find((i) => i.snapshot.keyId === keyId)!;

    expect(decideItem(ctxOf(w.vm.id), id, item(w.unused.keyId).id, d("revoke", "unused for 60 days"))).toEqual({ ok: true, value: { outcome: "revoked" } });
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.unused.id)).get()!.status).toBe("revoked");
    const events = getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all();
    expect(events.map((e) => e.event)).toEqual(["credential.revoked"]);
    expect(JSON.parse(events[0].payload).data).toMatchObject({ keyId: w.unused.keyId });

    expect(decideItem(ctxOf(w.vm.id), id, item(w.fresh.keyId).id, d("keep"))).toMatchObject({ ok: true });
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.fresh.id)).get()!.lastReviewedAt).toEqual(NOW);

    expect(decideItem(ctxOf(w.vm.id), id, item(w.contractorKey.keyId).id, d("narrow", undefined, ["opus-4"]))).toMatchObject({ ok: true });
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.contractorKey.id)).get()!.grantModels).toEqual(["opus-4"]);

    // Reassign the other partner's item to security, who is unsure: it goes back to the owner.
    const other = item(w.otherKey.keyId);
    expect(decideItem(ctxOf(sec.id), id, other.id, d("keep"))).toMatchObject({ ok: false, status: 403 });
    expect(reassignItems(ctxOf(w.vm.id), id, [other.id], sec.id)).toMatchObject({ ok: true });
    expect(decideItem(ctxOf(w.vm.id), id, other.id, d("keep"))).toMatchObject({ ok: false, status: 403 });
    expect(decideItem(ctxOf(sec.id), id, other.id, d("unsure", "who is this?"))).toMatchObject({ ok: true, value: { outcome: expect.stringContaining("escalated") } });
    expect(item(w.otherKey.keyId)).toMatchObject({ reviewerId: w.vm.id, decision: "unsure" });
    expect(getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all().map((e) => e.event)).toContain("campaign.item_escalated");
    expect(openCampaignProgress(NOW).find((p) => p.id === id)).toMatchObject({ total: 4, decided: 3, revocations: 1, overdueItems: 0 });
  });

  it("bulk decisions apply to the filtered selection assigned to the reviewer, and refuse others' items", async () => {
    const w = await world();
    const sec = await createUser({ role: "security" });
    const r = createCampaign(ctxOf(w.vm.id), scoped(w));
    const id = r.ok ? r.value.id : "";
    const ids = decidableIds(actorFor(w.vm.id), id, ["unused"]);
    expect(ids).toHaveLength(2);
    expect(bulkDecide(ctxOf(sec.id), id, ids, d("revoke", "unused"))).toMatchObject({ ok: false, status: 403 });
    expect(bulkDecide(ctxOf(w.vm.id), id, ids, d("revoke", "unused"))).toEqual({ ok: true, value: { done: 2, skipped: [] } });
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.contractorKey.id)).get()!.status).toBe("revoked");
    expect(decidableIds(actorFor(w.vm.id), id, ["unused"])).toEqual([]);
  });
});

describe("partner first pass", () => {
  it("a partner admin sees only its own organisation's items; another organisation's item is not found", async () => {
    const w = await world();
    const r = createCampaign(ctxOf(w.vm.id), scoped(w, { firstPass: true }));
    const id = r.ok ? r.value.id : "";
    const pa = actorFor(w.partnerAdmin.id);
    const mine = listItems(pa, id, { filters: [] }, NOW);
    expect(mine.items.map((i) => i.snapshot.keyId).sort()).toEqual([w.unused.keyId, w.fresh.keyId].sort());
    expect(mine.items.every((i) => i.orgId === w.partner.id)).toBe(true);
    const all = listItems(actorFor(w.vm.id), id, { filters: [] }, NOW).items;
    const otherItem = all.find((i) => i.snapshot.keyId === w.otherKey.keyId)!;
    expect(recordFirstPass(ctxOf(w.partnerAdmin.id), id, otherItem.id, d("keep"))).toMatchObject({ ok: false, status: 404 });
    expect(recordFirstPass(ctxOf(w.partnerAdmin.id), id, mine.items[0].id, d("revoke", "we no longer need it"))).toMatchObject({ ok: true });
    expect(decideItem(ctxOf(w.partnerAdmin.id), id, mine.items[0].id, d("keep"))).toMatchObject({ ok: false, status: 403 });
    expect(listItems(actorFor(w.vm.id), id, { filters: [] }, NOW).items.find((i) => i.id === mine.items[0].id)).toMatchObject({ firstPassDecision: "revoke", firstPassComment: "we no longer need it" });
    expect(firstPassDueFor(w.partner.id)).toEqual([expect.objectContaining({ id, pending: 1 })]);
    expect(listCampaigns(pa, {}, NOW).rows.map((c) => [c.id, c.total])).toEqual([[id, 2]]);
    // Another partner's admin: not a campaign for it unless it holds items; the contractor has no first-pass view of the partner's items.
    const stranger = createOrg();
    const strangerAdmin = await createUser({ role: "partner_admin", orgId: stranger.id });
    expect(getCampaign(actorFor(strangerAdmin.id), id)).toBeNull();
    expect(listItems(actorFor(w.contractorAdmin.id), id, { filters: [] }, NOW).items.map((i) => i.snapshot.keyId)).toEqual([w.contractorKey.keyId]);
    // Without a first pass, partners do not see the campaign at all.
    const r2 = createCampaign(ctxOf(w.vm.id), scoped(w));
    expect(getCampaign(pa, r2.ok ? r2.value.id : "")).toBeNull();
  });
});

describe("closing, the report and its signature", () => {
  it("applies the undecided rule, freezes the campaign, and signs a report whose changed byte fails", async () => {
    const w = await world();
    const r = createCampaign(ctxOf(w.vm.id), scoped(w, { undecidedRule: "revoke" }));
    const id = r.ok ? r.value.id : "";
    const items = listItems(actorFor(w.vm.id), id, { filters: [] }, NOW).items;
    decideItem(ctxOf(w.vm.id), id, items.find((i) => i.snapshot.keyId === w.fresh.keyId)!.id, d("keep"));
    expect(closeCampaign(ctxOf(w.partnerAdmin.id), id)).toMatchObject({ ok: false, status: 404 });
    expect(closeCampaign(ctxOf(w.vm.id), id)).toEqual({ ok: true, value: { undecided: 3, revoked: 3 } });
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.otherKey.id)).get()!.status).toBe("revoked");
    expect(getDb().select().from(credentials).where(eq(credentials.id, w.fresh.id)).get()!.status).toBe("active");
    expect(decideItem(ctxOf(w.vm.id), id, items[0].id, d("keep"))).toMatchObject({ ok: false, status: 400 });
    expect(closeCampaign(ctxOf(w.vm.id), id)).toMatchObject({ ok: false, status: 400 });

    const report = campaignReport(actorFor(w.vm.id), id)!;
    expect(report.summary).toMatchObject({ total: 4, decided: 1, kept: 1, revoked: 3, undecided: 3 });
    const csv = reportCsv(report);
    expect(csv.split("\r\n")[0]).toContain("keyId");
    expect(csv).toContain("revoked at close (undecided)");
    const signed = await signedReportJson(report);
    expect(await verifyReport(signed)).toMatchObject({ ok: true, campaignId: id, items: 4 });
    const tampered = signed.replace('"kept"', '"kepT"');
    expect(tampered).not.toBe(signed);
    expect(await verifyReport(tampered)).toMatchObject({ ok: false, reason: expect.stringContaining("changed") });
    const doc = JSON.parse(signed);
    const sig: string = doc.signature;
    const flipped = JSON.stringify({ ...doc, signature: sig.slice(0, -3) + (sig.at(-3) === "A" ? "B" : "A") + sig.slice(-2) });
    expect(await verifyReport(flipped)).toMatchObject({ ok: false });

    // A partner admin's report is its own items only; the evidence files follow the org filter.
    const pa = campaignReport(actorFor(w.partnerAdmin.id), id);
    expect(pa).toBeNull(); // no first pass in this campaign
    const files = campaignEvidenceFiles({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-12-31T00:00:00Z"), orgId: w.partner.id });
    const mine = files.filter((f) => f.path.includes(id));
    expect(mine.map((f) => f.path.split(".").at(-1))).toEqual(["csv", "json"]);
    expect(JSON.parse(mine[1].content).items.map((i: { orgSlug: string }) => i.orgSlug)).toEqual([w.partner.slug, w.partner.slug]);
    expect(campaignEvidenceFiles({ from: new Date("2027-01-01T00:00:00Z"), to: new Date("2027-02-01T00:00:00Z") }).filter((f) => f.path.includes(id))).toEqual([]);
  });
});

describe("scheduler: reminders, escalation and recurrence", () => {
  it("sends each reminder stage once, escalates overdue items to the owner once, and opens the next differential campaign", async () => {
    const w = await world();
    const gateway = createWebhook(["campaign.reminder", "campaign.escalated"]);
    const sec = await createUser({ role: "security" });
    const r = createCampaign(ctxOf(w.vm.id), scoped(w, { mode: "differential", recurrenceDays: 30, reviewer: sec.id }));
    const id = r.ok ? r.value.id : "";
    const at = (iso: string) => new Date(iso);
    const mine = () => getDb().select().from(outbox).where(eq(outbox.webhookId, gateway.id)).all().filter((e) => JSON.parse(e.payload).data.campaignId === id);
    expect(campaignReminders(at("2026-12-06T10:00:00Z")).sent >= 0).toBe(true);
    expect(mine()).toHaveLength(0); // first week: nothing
    campaignReminders(at("2026-12-07T10:00:00Z"));
    campaignReminders(at("2026-12-07T11:00:00Z"));
    expect(mine().map((e) => JSON.parse(e.payload).data.stage)).toEqual(["week-1"]);
    expect(JSON.parse(mine()[0].payload).data.pending).toEqual([{ reviewerId: sec.id, reviewer: sec.email, items: 4 }]);
    campaignReminders(at("2026-12-11T10:00:00Z"));
    campaignReminders(at("2026-12-14T10:00:00Z"));
    campaignReminders(at("2026-12-15T10:00:00Z"));
    campaignReminders(at("2026-12-15T12:00:00Z"));
    expect(mine().filter((e) => e.event === "campaign.reminder").map((e) => JSON.parse(e.payload).data.stage)).toEqual(["week-1", "due-in-3d", "due", "overdue-d1"]);
    expect(mine().filter((e) => e.event === "campaign.escalated")).toHaveLength(1);
    const items = getDb().select().from(campaignItems).where(eq(campaignItems.campaignId, id)).all();
    expect(items.every((i) => i.reviewerId === w.vm.id && i.escalatedAt)).toBe(true);
    expect(openCampaignProgress(at("2026-12-15T12:00:00Z")).find((p) => p.id === id)).toMatchObject({ overdueItems: 4 });

    // Close, change one credential, add one: the next occurrence (30 days on) reviews just those two.
    closeCampaign(ctxOf(w.vm.id, at("2026-12-16T10:00:00Z")), id);
    getDb().update(credentials).set({ storage: "shared_drive" }).where(eq(credentials.id, w.fresh.id)).run();
    const added = createCredential(w.other.id, { label: "New key" });
    expect(openDueCampaigns(at("2026-12-29T10:00:00Z"))).toEqual({ created: 0, opened: 0 });
    expect(openDueCampaigns(at("2026-12-30T10:00:00Z"))).toEqual({ created: 1, opened: 1 });
    expect(openDueCampaigns(at("2026-12-30T11:00:00Z"))).toEqual({ created: 0, opened: 0 });
    const next = getDb().select().from(campaigns).where(eq(campaigns.seriesId, id)).all().find((c) => c.sequence === 2)!;
    expect(next).toMatchObject({ status: "open", opensOn: "2026-12-30", dueOn: "2027-01-13", mode: "differential" });
    const keys = getDb().select().from(campaignItems).where(eq(campaignItems.campaignId, next.id)).all().map((i) => (i.snapshot as { keyId: string }).keyId).sort();
    expect(keys).toEqual([w.fresh.keyId, added.keyId].sort());
  });
});
