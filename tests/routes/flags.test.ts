import { eventRefOf, insertLogEvents } from "../../db/event-store";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials, flags, outbox } from "../../db/schema";
import { detectionRuleSettings, detectionSuppressions, flagActivity } from "../../db/schema-triage";
import { listAuditForTarget } from "~/models/audit.server";
import { login, request } from "../support/app";
import { createCredential, createWebhook, seedCatalog } from "../support/credential-factory";
import { createUser, tenancyWorld } from "../support/factories";
import { createFlag } from "../support/flag-factory";

const signIn = (u: { email: string; password: string }) => login(u.email, u.password);
const html = async (res: Response | Promise<Response>) => (await (await res).text()).replace(/<!-- -->/g, "");
const flagRow = (id: string) => getDb().select().from(flags).where(eq(flags.id, id)).get()!;

let sec: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  seedCatalog();
  sec = await createUser({ role: "security", name: "Sam Triage" });
});

function eventsFor(credentialId: string, keyRef: string, t0: number) {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    eventKey: Math.floor(Math.random() * 2 ** 40),
    importRef: eventRefOf(getDb().$client, "import", "imp-test"),
    ts: t0 + i * 5_000,
    keyRef,
    credentialRef: eventRefOf(getDb().$client, "credential", credentialId),
    srcIp: "203.0.113.50",
    userAgent: "python-requests/2.32",
    method: "POST",
    path: `/v1/models/opus-${i}/messages`,
    status: i % 4 === 0 ? 200 : 404,
  }));
  insertLogEvents(getDb().$client, rows);
}

describe("flags: tenancy", () => {
  it("shows a partner only its own organisation's flags, and another organisation's flag is 404 on the page and on every action", async () => {
    const w = await tenancyWorld();
    const mine = createCredential(w.partner.id);
    const theirs = createCredential(w.other.id);
    const myFlag = createFlag({ credentialId: mine.id, orgId: w.partner.id, summary: "Our own finding" });
    const theirFlag = createFlag({ credentialId: theirs.id, orgId: w.other.id, summary: "Someone else's finding", srcIp: "192.0.2.200" });
    const ipOnly = createFlag({ rule: "ip_probe", srcIp: "192.0.2.201", summary: "An address probing" });
    const cookie = await signIn(w.partnerAdmin);
    const list = await html(request("/flags?status=all", { cookie }));
    expect(list).toContain("Our own finding");
    expect(list).not.toContain("Someone else&#x27;s finding");
    expect(list).not.toContain("An address probing");
    expect(list).not.toContain("192.0.2.20");
    expect((await request(`/flags/${theirFlag.id}`, { cookie })).status).toBe(404);
    expect((await request(`/flags/${ipOnly.id}`, { cookie })).status).toBe(404);
    const forms: Record<string, string>[] = [{ intent: "respond", body: "not ours" }, { intent: "acknowledge" }, { intent: "suspend", reason: "x" }];
    for (const form of forms) {
      expect((await request(`/flags/${theirFlag.id}`, { cookie, form })).status, form.intent).toBe(404);
    }
    expect(flagRow(theirFlag.id).status).toBe("open");
    expect((await request(`/flags/${myFlag.id}`, { cookie })).status).toBe(200);
  });

  it("answers 403 to a partner admin's triage actions on its own flag, and to a partner member's response", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const f = createFlag({ credentialId: cred.id, orgId: w.partner.id });
    const admin = await signIn(w.partnerAdmin);
    const forms: Record<string, string>[] = [{ intent: "acknowledge" }, { intent: "resolve", reason: "fine" }, { intent: "false_positive", reason: "fine" }, { intent: "suspend", reason: "x" }, { intent: "revoke", reason: "x", confirm: "yes" }, { intent: "assign", assigneeId: sec.id }];
    for (const form of forms) {
      expect((await request(`/flags/${f.id}`, { cookie: admin, form })).status, form.intent).toBe(403);
    }
    const member = await signIn(w.partnerMember);
    expect((await request(`/flags/${f.id}`, { cookie: member, form: { intent: "respond", body: "hi" } })).status).toBe(403);
    expect(flagRow(f.id).status).toBe("open");
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("active");
  });
});

describe("flags: the queue", () => {
  it("sorts by severity then recency, filters by severity, rule, organisation, status and time, and paginates", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const now = Date.now();
    const low = createFlag({ rule: "new_source", severity: "low", credentialId: cred.id, orgId: w.partner.id, lastSeen: now, summary: "low-one" });
    const crit = createFlag({ rule: "unreleased_model", severity: "critical", credentialId: cred.id, orgId: w.partner.id, lastSeen: now - 3_600_000, summary: "crit-one" });
    const closed = createFlag({ rule: "error_burst", severity: "high", credentialId: cred.id, orgId: w.partner.id, status: "resolved", summary: "closed-one" });
    const cookie = await signIn(sec);
    const body = await html(request(`/flags?org=${w.partner.slug}`, { cookie }));
    expect(body.indexOf("crit-one")).toBeGreaterThan(-1);
    expect(body.indexOf("crit-one")).toBeLessThan(body.indexOf("low-one"));
    expect(body).not.toContain("closed-one"); // default: needing attention
    expect(await html(request(`/flags?org=${w.partner.slug}&status=resolved`, { cookie }))).toContain("closed-one");
    const bySeverity = await html(request(`/flags?org=${w.partner.slug}&severity=low`, { cookie }));
    expect(bySeverity).toContain("low-one");
    expect(bySeverity).not.toContain("crit-one");
    const byRule = await html(request(`/flags?org=${w.partner.slug}&rule=unreleased_model`, { cookie }));
    expect(byRule).toContain("crit-one");
    expect(byRule).not.toContain("low-one");
    const future = new Date(now + 3 * 86_400_000).toISOString().slice(0, 10);
    expect(await html(request(`/flags?org=${w.partner.slug}&from=${future}`, { cookie }))).not.toContain("crit-one");
    const bad = await request(`/flags?severity=apocalyptic&from=2026-13-01`, { cookie });
    expect(bad.status).toBe(400);
    expect(await html(bad)).toContain("Pick a severity");
    void low;
    void crit;
    void closed;
    // pagination: 30 flags of one organisation → two pages of 25
    const many = createCredential(w.partner.id);
    for (let i = 0; i < 30; i++) createFlag({ credentialId: many.id, orgId: w.partner.id, severity: "medium", summary: `bulk-${i}` });
    const page2 = await html(request(`/flags?org=${w.partner.slug}&severity=medium&page=2`, { cookie }));
    expect(page2).toContain("page 2 of 2");
  });
});

describe("flags: detail and triage", () => {
  it("shows the timeline as SVG without inline styles, the requests, the credential and its holder; triage actions are audited", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id, { label: "Contractor eval key", holderService: "eval-runner" });
    const t0 = Date.now() - 120_000;
    eventsFor(cred.id, cred.keyId, t0);
    const f = createFlag({ rule: "path_enumeration", credentialId: cred.id, orgId: w.partner.id, keyRef: cred.keyId, firstSeen: t0, lastSeen: t0 + 55_000, srcIp: "203.0.113.50" });
    const related = createFlag({ rule: "new_source", severity: "low", credentialId: cred.id, orgId: w.partner.id, summary: "related-one" });
    const cookie = await signIn(sec);
    const body = await html(request(`/flags/${f.id}`, { cookie }));
    expect(body).toContain("<svg");
    expect(body).toContain('class="tl-client"');
    expect(body).toContain('class="tl-ok"');
    expect(body).not.toMatch(/style="/);
    expect(body).toContain("/v1/models/opus-7/messages");
    expect(body).toContain("12 requests");
    expect(body).toContain("Contractor eval key");
    expect(body).toContain("eval-runner");
    expect(body).toContain(`href="/flags/${related.id}"`);

    const ack = await request(`/flags/${f.id}`, { cookie, form: { intent: "acknowledge", note: "looking" } });
    expect(ack.status).toBe(302);
    expect(flagRow(f.id).status).toBe("acknowledged");
    const assign = await request(`/flags/${f.id}`, { cookie, form: { intent: "assign", assigneeId: sec.id } });
    expect(assign.status).toBe(302);
    expect(await html(request(`/flags?org=${w.partner.slug}`, { cookie }))).toContain("Sam Triage");
    expect((await request(`/flags/${f.id}`, { cookie, form: { intent: "escalate", note: "" } })).status).toBe(400);
    expect((await request(`/flags/${f.id}`, { cookie, form: { intent: "escalate", note: "looks like the 2026 pattern" } })).status).toBe(302);
    const badResolve = await request(`/flags/${f.id}`, { cookie, form: { intent: "resolve", reason: "   " } });
    expect(badResolve.status).toBe(400);
    expect(await html(badResolve)).toContain("Give the resolution");
    expect((await request(`/flags/${f.id}`, { cookie, form: { intent: "resolve", reason: "contractor confirmed a test" } })).status).toBe(302);
    expect(flagRow(f.id).status).toBe("resolved");
    expect(listAuditForTarget("flag", f.id).map((a) => a.action)).toEqual(expect.arrayContaining(["flag.acknowledged", "flag.assigned", "flag.escalated", "flag.resolved"]));
    // closed: acknowledging again is refused plainly
    const again = await request(`/flags/${f.id}`, { cookie, form: { intent: "escalate", note: "again" } });
    expect(again.status).toBe(400);
  });

  it("marks a false positive with a suppression for the credential (N days) and refuses a suppression without days", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const f = createFlag({ rule: "new_source", credentialId: cred.id, orgId: w.partner.id });
    const cookie = await signIn(sec);
    const bad = await request(`/flags/${f.id}`, { cookie, form: { intent: "false_positive", reason: "CI moved", suppress: "credential", days: "" } });
    expect(bad.status).toBe(400);
    expect(await html(bad)).toContain("Enter for how many days");
    const ok = await request(`/flags/${f.id}`, { cookie, form: { intent: "false_positive", reason: "CI moved region", suppress: "credential", days: "14" } });
    expect(ok.status).toBe(302);
    expect(flagRow(f.id).status).toBe("false_positive");
    const s = getDb().select().from(detectionSuppressions).where(eq(detectionSuppressions.flagId, f.id)).get()!;
    expect(s).toMatchObject({ rule: "new_source", credentialId: cred.id, srcIp: null, reason: "CI moved region" });
    expect(Math.round((s.expiresAt.getTime() - s.createdAt.getTime()) / 86_400_000)).toBe(14);
  });

  it("suspends the flag's credential through the lifecycle: the gateway is told through the outbox and the flag records it", async () => {
    const w = await tenancyWorld();
    const hook = createWebhook(["credential.suspended"]);
    const cred = createCredential(w.partner.id);
    const f = createFlag({ credentialId: cred.id, orgId: w.partner.id });
    const cookie = await signIn(sec);
    const res = await request(`/flags/${f.id}`, { cookie, form: { intent: "suspend", reason: "Guessing model URLs" } });
    expect(res.status).toBe(302);
    expect(getDb().select().from(credentials).where(eq(credentials.id, cred.id)).get()!.status).toBe("suspended");
    const rows = getDb().select().from(outbox).where(eq(outbox.webhookId, hook.id)).all();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].payload)).toMatchObject({ event: "credential.suspended", data: { keyId: cred.keyId } });
    expect(getDb().select().from(flagActivity).where(eq(flagActivity.flagId, f.id)).all().map((a) => a.kind)).toEqual(["suspended"]);
    expect(listAuditForTarget("flag", f.id).map((a) => a.action)).toContain("flag.credential_suspended");
  });

  it("lets the partner admin respond; the response shows on the flag for security, security's notes do not show to the partner", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const f = createFlag({ rule: "new_source", credentialId: cred.id, orgId: w.partner.id });
    const secCookie = await signIn(sec);
    expect((await request(`/flags/${f.id}`, { cookie: secCookie, form: { intent: "note", body: "internal: check the ASN" } })).status).toBe(302);
    const pa = await signIn(w.partnerAdmin);
    expect((await request(`/flags/${f.id}`, { cookie: pa, form: { intent: "respond", body: "" } })).status).toBe(400);
    expect((await request(`/flags/${f.id}`, { cookie: pa, form: { intent: "respond", body: "Our CI moved region" } })).status).toBe(302);
    const partnerView = await html(request(`/flags/${f.id}`, { cookie: pa }));
    expect(partnerView).toContain("Our CI moved region");
    expect(partnerView).not.toContain("internal: check the ASN");
    expect(partnerView).not.toContain('value="acknowledge"');
    const securityView = await html(request(`/flags/${f.id}`, { cookie: secCookie }));
    expect(securityView).toContain("Our CI moved region");
    expect(securityView).toContain("internal: check the ASN");
  });
});

describe("detection settings page", () => {
  it("validates thresholds (whole numbers within bounds), saves the overrides and audits them", async () => {
    const cookie = await signIn(sec);
    const bad = await request("/settings/detection", { cookie, form: { intent: "rule", rule: "error_burst", "error_burst.capacity": "-1", "error_burst.leakMs": "ten", "error_burst.highMultiplier": "3", "error_burst.repeatWindowMs": "600" } });
    expect(bad.status).toBe(400);
    const body = await html(bad);
    expect(body).toContain("Enter a whole number");
    expect(body).toContain('value="ten"');
    const ok = await request("/settings/detection", { cookie, form: { intent: "rule", rule: "error_burst", "error_burst.capacity": "8", "error_burst.leakMs": "10", "error_burst.highMultiplier": "3", "error_burst.repeatWindowMs": "600" } });
    expect(ok.status).toBe(302);
    expect(getDb().select().from(detectionRuleSettings).where(eq(detectionRuleSettings.rule, "error_burst")).get()!.thresholds).toEqual({ capacity: 8 });
    const reset = await request("/settings/detection", { cookie, form: { intent: "rule", rule: "error_burst", reset: "1" } });
    expect(reset.status).toBe(302);
    expect(getDb().select().from(detectionRuleSettings).where(eq(detectionRuleSettings.rule, "error_burst")).get()).toBeUndefined();
  });

  it("shows the auto-suspend policy plainly when it is on", async () => {
    const cookie = await signIn(sec);
    expect(await html(request("/settings/detection", { cookie }))).toContain("Off: critical flags are notified");
    expect((await request("/settings/detection", { cookie, form: { intent: "policy", autoSuspendCritical: "on" } })).status).toBe(302);
    expect(await html(request("/settings/detection", { cookie }))).toContain("On: a credential with a new critical flag is suspended automatically");
    expect((await request("/settings/detection", { cookie, form: { intent: "policy" } })).status).toBe(302);
  });
});

describe("the credential's page", () => {
  it("groups the credential's flags within an hour, linking to each", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.partner.id);
    const t = Date.parse("2026-11-20T10:00:00Z");
    const a = createFlag({ rule: "pattern_guessing", credentialId: cred.id, orgId: w.partner.id, firstSeen: t, lastSeen: t + 600_000 });
    createFlag({ rule: "unknown_model", credentialId: cred.id, orgId: w.partner.id, firstSeen: t, lastSeen: t + 1_200_000 });
    createFlag({ rule: "new_source", severity: "low", credentialId: cred.id, orgId: w.partner.id, firstSeen: t - 86_400_000, lastSeen: t - 86_400_000 });
    const cookie = await signIn(w.partnerMember);
    const body = await html(request(`/credentials/${cred.keyId}`, { cookie }));
    expect(body).toContain("2 flags");
    expect(body).toContain("1 flag<");
    expect(body).toContain(`href="/flags/${a.id}"`);
  });
});

describe("flags: a partner and its contractor", () => {
  it("lets a partner admin read its contractor's flag but not respond for the contractor (403)", async () => {
    const w = await tenancyWorld();
    const cred = createCredential(w.contractor.id);
    const f = createFlag({ credentialId: cred.id, orgId: w.contractor.id });
    const cookie = await signIn(w.partnerAdmin);
    const page = await html(request(`/flags/${f.id}`, { cookie }));
    expect(page).not.toContain('value="respond"');
    expect((await request(`/flags/${f.id}`, { cookie, form: { intent: "respond", body: "for them" } })).status).toBe(403);
  });
});
