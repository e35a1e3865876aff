import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, credentialRotations, credentials, credentialShares, outbox, webhooks } from "../../db/schema";
import { CREDENTIAL_FLAGS, CredentialRegisterSchema, InventoryQuerySchema, inventoryQueryInput, type CredentialFlag } from "../../app/domain/credential";
import { DAY_MS, type CredentialHygiene } from "../../app/domain/credential-policy";
import { upsertEndpoint, upsertModel } from "../../app/models/catalog.server";
import { getCredential } from "../../app/models/credential.server";
import {
  csvCell,
  credentialsCsv,
  iterateCredentials,
  listCredentials,
  registerCredential,
  registrationOptions,
  registrationTarget,
  type InventoryFilter,
  type InventoryRow,
} from "../../app/models/credential-inventory.server";
import { updateEntitlements } from "../../app/models/entitlement.server";
import { updatePolicy } from "../../app/models/policy.server";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const system = { actor: null, ip: null };
const NOW = new Date("2026-06-01T12:00:00.000Z");
const ago = (days: number, ms = 0) => new Date(NOW.getTime() - days * DAY_MS + ms);
const ahead = (days: number, ms = 0) => new Date(NOW.getTime() + days * DAY_MS + ms);
let n = 0;
const uid = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
const base: InventoryFilter = { flag: [], sort: "keyId", dir: "asc" };
const keyIds = (rows: { keyId: string }[]) => rows.map((r) => r.keyId).sort();

beforeAll(() => {
  for (const [name, status] of [
    ["atlas-2", "ga"],
    ["atlas-2-mini", "ga"],
    ["mythos-preview", "restricted"],
  ] as const)
    upsertModel(system, { name, status, aliases: [] });
  upsertEndpoint(system, { name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" });
  upsertEndpoint(system, { name: "batches", methods: ["POST"], pathTemplate: "/v1/batches" });
  // A saved restricted policy (the SQL must read the policies table, not only the defaults).
  updatePolicy(system, { tier: "restricted", maxCredentialAgeDays: 30, unusedThresholdDays: 10, attestationCadenceDays: 90, reviewCadenceDays: 90, rotationGraceHours: 24 });
});

type Seed = Partial<typeof credentials.$inferInsert> & { orgId: string };
function seed(s: Seed) {
  const keyId = s.keyId ?? `kw_test_${uid()}`;
  const id = crypto.randomUUID();
  getDb()
    .insert(credentials)
    .values({ id, label: "seeded", holderService: "svc", grantModels: ["@ga"], grantEndpoints: ["*"], environment: "production", storage: "secrets_manager", issuedAt: ago(1), ...s, keyId })
    .run();
  return { id, keyId };
}

async function world() {
  const w = await tenancyWorld();
  const vm = actorFor(w.vm.id);
  updateEntitlements({ actor: vm, ip: null }, w.partner, { models: ["@ga", "mythos-preview"], endpoints: ["*"] });
  updateEntitlements({ actor: vm, ip: null }, w.contractor, { models: ["@ga"], endpoints: ["messages"] });
  updateEntitlements({ actor: vm, ip: null }, w.other, { models: ["@ga"], endpoints: ["*"] });
  return { ...w, vmActor: vm };
}

const today = () => new Date().toISOString().slice(0, 10);
const form = (over: Record<string, unknown> = {}) =>
  CredentialRegisterSchema.parse({ keyId: `kw_live_${uid()}`, label: "Eval runner", holderService: "eval-cluster", grantModels: ["@ga"], environment: "production", storage: "secrets_manager", issuedAt: today(), ...over });

describe("inventory tenancy", () => {
  it("shows a partner its own and its contractors' credentials, a contractor only its own, another partner nothing", async () => {
    const w = await world();
    const mine = seed({ orgId: w.partner.id });
    const theirs = seed({ orgId: w.contractor.id });
    const foreign = seed({ orgId: w.other.id });

    const partner = listCredentials(actorFor(w.partnerMember.id), base, NOW);
    expect(keyIds(partner.rows)).toEqual([mine.keyId, theirs.keyId].sort());
    expect(partner.total).toBe(2);
    expect(keyIds(listCredentials(actorFor(w.contractorAdmin.id), base, NOW).rows)).toEqual([theirs.keyId]);
    expect(keyIds(listCredentials(actorFor(w.otherAdmin.id), base, NOW).rows)).toEqual([foreign.keyId]);
    // Filtering by another tenant's slug finds nothing rather than bypassing the scope.
    expect(listCredentials(actorFor(w.otherAdmin.id), { ...base, org: w.partner.slug }, NOW).total).toBe(0);
    expect(listCredentials(actorFor(w.contractorAdmin.id), { ...base, org: w.partner.slug }, NOW).total).toBe(0);
    // internal users see all three
    const all = keyIds(listCredentials(w.vmActor, base, NOW, 10_000).rows);
    for (const k of [mine, theirs, foreign]) expect(all).toContain(k.keyId);
    // and the CSV follows the same scope
    const csv = [...credentialsCsv(actorFor(w.otherAdmin.id), base, NOW)].join("");
    expect(csv).toContain(foreign.keyId);
    expect(csv).not.toContain(mine.keyId);
    expect(csv).not.toContain(theirs.keyId);
  });

  it("scopes getCredential the same way", async () => {
    const w = await world();
    const mine = seed({ orgId: w.partner.id });
    const theirs = seed({ orgId: w.contractor.id });
    expect(getCredential(actorFor(w.partnerAdmin.id), theirs.keyId)?.keyId).toBe(theirs.keyId);
    expect(getCredential(actorFor(w.contractorAdmin.id), mine.keyId)).toBeNull();
    expect(getCredential(actorFor(w.contractorAdmin.id), theirs.keyId)?.keyId).toBe(theirs.keyId);
    expect(getCredential(actorFor(w.otherAdmin.id), mine.keyId)).toBeNull();
    expect(getCredential(actorFor(w.otherAdmin.id), theirs.keyId)).toBeNull();
    expect(getCredential(w.vmActor, mine.keyId)?.keyId).toBe(mine.keyId);
  });
});

describe("inventory filters, SQL against the domain", () => {
  /** A spread around every threshold. Standard: 90 d max age, 30 d unused (defaults, no saved row); restricted: 30 d / 10 d (saved). */
  async function spread() {
    const std = createOrg({ tier: "standard", slug: `std-${uid()}` });
    const res = createOrg({ tier: "restricted", slug: `res-${uid()}` });
    const contractor = createOrg({ kind: "contractor", parentId: std.id, slug: `sub-${uid()}` });
    const k = (name: string) => `kw_${name}_${uid()}`;
    const rows = {
      overdueExact: seed({ orgId: std.id, keyId: k("overdue_exact"), issuedAt: ago(90) }),
      dueSoonJustBefore: seed({ orgId: std.id, keyId: k("due_soon_edge"), issuedAt: ago(90, 1) }),
      dueSoonExact14: seed({ orgId: std.id, keyId: k("due_soon_14"), issuedAt: ago(76) }),
      okJustOver14: seed({ orgId: std.id, keyId: k("ok_14_1"), issuedAt: ago(76, 1) }),
      rotatedRecently: seed({ orgId: std.id, keyId: k("rotated"), issuedAt: ago(400), lastRotatedAt: ago(10) }),
      rotatedToday: seed({ orgId: std.id, keyId: k("rotated_today"), issuedAt: ago(400), lastRotatedAt: NOW }),
      revokedOld: seed({ orgId: std.id, keyId: k("revoked"), issuedAt: ago(400), status: "revoked" }),
      expiredByDate: seed({ orgId: std.id, keyId: k("expired_date"), issuedAt: ago(200), expiresAt: NOW }),
      expiredStatus: seed({ orgId: std.id, keyId: k("expired_status"), issuedAt: ago(200), status: "expired" }),
      expiring14: seed({ orgId: std.id, keyId: k("expiring_14"), expiresAt: ahead(14) }),
      expiringOver14: seed({ orgId: std.id, keyId: k("expiring_14_1"), expiresAt: ahead(14, 1) }),
      unusedExact: seed({ orgId: std.id, keyId: k("unused_exact"), lastUsedAt: ago(30) }),
      usedJustInside: seed({ orgId: std.id, keyId: k("used_inside"), lastUsedAt: ago(30, 1) }),
      suspendedOverdue: seed({ orgId: std.id, keyId: k("suspended_overdue"), issuedAt: ago(120), status: "suspended", lastUsedAt: ago(1) }),
      shared: seed({ orgId: std.id, keyId: k("shared"), storage: "shared_drive" }),
      localFile: seed({ orgId: std.id, keyId: k("local_file"), storage: "local_file", lastUsedAt: ago(2) }),
      resOverdue: seed({ orgId: res.id, keyId: k("res_overdue"), issuedAt: ago(30) }),
      resDueSoon: seed({ orgId: res.id, keyId: k("res_due_soon"), issuedAt: ago(16) }),
      resUnused: seed({ orgId: res.id, keyId: k("res_unused"), lastUsedAt: ago(10) }),
      resInUse: seed({ orgId: res.id, keyId: k("res_in_use"), lastUsedAt: ago(9) }),
      mythosOnly: seed({ orgId: res.id, keyId: k("mythos"), grantModels: ["mythos-preview"] }),
      atlasOnly: seed({ orgId: res.id, keyId: k("atlas"), grantModels: ["atlas-2"] }),
    };
    getDb().insert(credentialShares).values({ credentialId: rows.shared.id, orgId: contractor.id }).run();
    return { std, res, rows };
  }

  const domainHas = (flag: CredentialFlag, r: InventoryRow, h: CredentialHygiene) =>
    ({
      overdue: h.rotationState === "overdue",
      due_soon: h.rotationState === "due_soon",
      never_used: h.usageState === "never_used",
      unused: h.usageState === "unused",
      expiring: h.expiryState === "expiring_soon",
      shared: r.sharedWith.length > 0,
      outside_vault: r.storage !== "secrets_manager",
    })[flag];

  it("puts each threshold row on the right side", async () => {
    const { rows } = await spread();
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    const set = (flag: CredentialFlag) => keyIds(listCredentials(vm, { ...base, flag: [flag] }, NOW, 10_000).rows);
    const overdue = set("overdue");
    expect(overdue).toContain(rows.overdueExact.keyId); // exactly at the maximum is overdue
    expect(overdue).toContain(rows.suspendedOverdue.keyId);
    expect(overdue).toContain(rows.resOverdue.keyId); // 30 d restricted (saved policy)
    for (const r of [rows.dueSoonJustBefore, rows.rotatedRecently, rows.rotatedToday, rows.revokedOld, rows.expiredByDate, rows.expiredStatus, rows.resDueSoon])
      expect(overdue).not.toContain(r.keyId);
    const dueSoon = set("due_soon");
    for (const r of [rows.dueSoonJustBefore, rows.dueSoonExact14, rows.resDueSoon]) expect(dueSoon).toContain(r.keyId);
    for (const r of [rows.okJustOver14, rows.overdueExact, rows.rotatedToday]) expect(dueSoon).not.toContain(r.keyId);
    const unused = set("unused");
    expect(unused).toContain(rows.unusedExact.keyId);
    expect(unused).toContain(rows.resUnused.keyId); // restricted: 10 d
    expect(unused).not.toContain(rows.usedJustInside.keyId);
    expect(unused).not.toContain(rows.resInUse.keyId);
    expect(set("never_used")).toContain(rows.overdueExact.keyId);
    expect(set("never_used")).not.toContain(rows.unusedExact.keyId);
    const expiring = set("expiring");
    expect(expiring).toContain(rows.expiring14.keyId);
    expect(expiring).not.toContain(rows.expiringOver14.keyId);
    expect(expiring).not.toContain(rows.expiredByDate.keyId);
    expect(set("shared")).toContain(rows.shared.keyId);
    expect(set("shared")).not.toContain(rows.localFile.keyId);
    expect(set("outside_vault")).toEqual(expect.arrayContaining([rows.shared.keyId, rows.localFile.keyId]));
    expect(set("outside_vault")).not.toContain(rows.overdueExact.keyId);
    // status is the effective one: an active credential past its expiry date is expired
    const expired = keyIds(listCredentials(vm, { ...base, status: "expired" }, NOW, 10_000).rows);
    expect(expired).toEqual(expect.arrayContaining([rows.expiredByDate.keyId, rows.expiredStatus.keyId]));
    expect(keyIds(listCredentials(vm, { ...base, status: "active" }, NOW, 10_000).rows)).not.toContain(rows.expiredByDate.keyId);
    // flags combine with AND
    const both = keyIds(listCredentials(vm, { ...base, flag: ["overdue", "never_used"] }, NOW, 10_000).rows);
    expect(both).toContain(rows.overdueExact.keyId);
    expect(both).not.toContain(rows.suspendedOverdue.keyId);
  });

  it("agrees with credentialHygiene() on every row for every flag and status", async () => {
    await spread();
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    const all = [...iterateCredentials(vm, base, NOW, 7)].flat();
    expect(all.length).toBeGreaterThan(20);
    for (const flag of CREDENTIAL_FLAGS) {
      const sql = keyIds(listCredentials(vm, { ...base, flag: [flag] }, NOW, 10_000).rows);
      const domain = keyIds(all.filter((r) => domainHas(flag, r, r.hygiene)));
      expect(sql, flag).toEqual(domain);
    }
    for (const status of ["active", "suspended", "revoked", "expired"] as const) {
      const sql = keyIds(listCredentials(vm, { ...base, status }, NOW, 10_000).rows);
      expect(sql, status).toEqual(keyIds(all.filter((r) => r.hygiene.effectiveStatus === status)));
    }
  });

  it("filters by organisation, tier and model (@ga matches GA models only)", async () => {
    const { std, res, rows } = await spread();
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    expect(listCredentials(vm, { ...base, org: res.slug }, NOW).total).toBe(6);
    expect(listCredentials(vm, { ...base, org: std.slug }, NOW).total).toBe(16);
    expect(keyIds(listCredentials(vm, { ...base, org: std.slug, tier: "restricted" }, NOW).rows)).toEqual([]);
    const atlas = keyIds(listCredentials(vm, { ...base, org: res.slug, model: "atlas-2" }, NOW).rows);
    expect(atlas).toContain(rows.atlasOnly.keyId);
    expect(atlas).toContain(rows.resOverdue.keyId); // @ga covers a GA model
    expect(atlas).not.toContain(rows.mythosOnly.keyId);
    const mythos = keyIds(listCredentials(vm, { ...base, org: res.slug, model: "mythos-preview" }, NOW).rows);
    expect(mythos).toEqual([rows.mythosOnly.keyId]); // @ga does not cover a restricted model
  });

  it("sorts on whitelisted keys and paginates on the server", async () => {
    const { res, rows } = await spread();
    const vm = actorFor((await createUser({ role: "vendor_manager" })).id);
    const byAge = listCredentials(vm, { ...base, org: res.slug, sort: "age", dir: "desc" }, NOW).rows.map((r) => r.hygiene.ageDays);
    expect(byAge).toEqual([...byAge].sort((a, b) => b - a));
    const due = listCredentials(vm, { ...base, org: res.slug, sort: "rotationDue", dir: "asc" }, NOW).rows;
    expect(due[0].keyId).toBe(rows.resOverdue.keyId);
    const p1 = listCredentials(vm, { ...base, org: res.slug, page: 1 }, NOW, 4);
    const p2 = listCredentials(vm, { ...base, org: res.slug, page: 2 }, NOW, 4);
    expect(p1).toMatchObject({ total: 6, pageCount: 2, page: 1 });
    expect(p1.rows).toHaveLength(4);
    expect(p2.rows).toHaveLength(2);
    expect(keyIds([...p1.rows, ...p2.rows])).toEqual(keyIds(listCredentials(vm, { ...base, org: res.slug }, NOW).rows));
    // a page past the end is clamped, and the query string parser ignores junk
    expect(listCredentials(vm, { ...base, org: res.slug, page: 99 }, NOW, 4).page).toBe(2);
    const q = InventoryQuerySchema.parse(inventoryQueryInput(new URLSearchParams("sort=drop table&dir=sideways&flag=overdue&flag=bogus&status=zombie&page=-3")));
    expect(q).toMatchObject({ sort: "keyId", dir: "asc", flag: ["overdue"], status: undefined, page: undefined });
  });
});

describe("CSV export", () => {
  it("quotes per RFC 4180 and neutralises formulas", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi", then go')).toBe('"say ""hi"", then go"');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    for (const c of ["+1", "-1", "@SUM(A1)", "\tx"]) expect(csvCell(c).startsWith("'") || csvCell(c).startsWith(`"'`)).toBe(true);
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("exports every matching row, in batches, with a header", async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) seed({ orgId: w.other.id, label: i === 0 ? "=cmd|' /C calc'!A0" : `row ${i}` });
    const batches = [...iterateCredentials(actorFor(w.otherAdmin.id), base, NOW, 2)];
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    const csv = [...credentialsCsv(actorFor(w.otherAdmin.id), base, NOW)].join("");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "keyId,org,label,holder,grantModels,endpoints,environment,storage,status,issuedAt,lastRotatedAt,ageDays,rotationDueAt,rotationState,lastUsedAt,lastUsedIp,lastUsedUserAgent,usageState,expiresAt,sharedWith",
    );
    expect(lines).toHaveLength(6);
    expect(csv).toContain("'=cmd|' /C calc'!A0");
    expect(csv).not.toMatch(/(^|,)=cmd/m);
  });
});

describe("registration", () => {
  it("resolves the target organisation: own org, 404 for another tenant, 403 for one's contractor", async () => {
    const w = await world();
    const member = actorFor(w.partnerMember.id);
    expect(registrationTarget(member, undefined)).toMatchObject({ ok: true, org: { slug: w.partner.slug } });
    expect(registrationTarget(member, w.partner.slug)).toMatchObject({ ok: true });
    expect(registrationTarget(member, w.other.slug)).toEqual({ ok: false, reason: "not_found" });
    expect(registrationTarget(member, w.contractor.slug)).toEqual({ ok: false, reason: "forbidden" });
    expect(registrationTarget(actorFor(w.contractorAdmin.id), w.partner.slug)).toEqual({ ok: false, reason: "not_found" });
    expect(registrationTarget(w.vmActor, undefined)).toEqual({ ok: false, reason: "choose" });
    expect(registrationTarget(w.vmActor, w.contractor.slug)).toMatchObject({ ok: true, org: { slug: w.contractor.slug } });
    const auditor = actorFor((await createUser({ role: "auditor" })).id);
    expect(registrationTarget(auditor, w.partner.slug)).toEqual({ ok: false, reason: "forbidden" });
  });

  it("writes the credential, its shares, an audit row and an outbox event in one go", async () => {
    const w = await world();
    getDb().insert(webhooks).values({ name: "gateway", url: "https://gateway.example.test/hook", events: ["*"], secret: "s3cret-for-hmac" }).run();
    const member = actorFor(w.partnerMember.id);
    const t = registrationTarget(member, undefined);
    if (!t.ok) throw new Error("no target");
    const input = form({ sharedWith: [w.contractor.slug], fingerprint: "ab".repeat(32), grantModels: ["@ga"], grantEndpoints: ["messages"] });
    const r = registerCredential({ actor: member, ip: "192.0.2.9" }, t.org, input);
    expect(r).toEqual({ ok: true, keyId: input.keyId });
    const c = getCredential(member, input.keyId)!;
    expect(c).toMatchObject({ orgSlug: w.partner.slug, holderService: "eval-cluster", grantModels: ["@ga"], grantEndpoints: ["messages"], status: "active", fingerprint: "ab".repeat(32) });
    expect(c.sharedWith.map((s) => s.slug)).toEqual([w.contractor.slug]);
    const audit = getDb().select().from(auditLog).where(and(eq(auditLog.action, "credential.registered"), eq(auditLog.targetId, c.id))).all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ targetType: "credential", orgId: w.partner.id, actorId: member.id, ip: "192.0.2.9" });
    expect(audit[0].details).not.toContain("ab".repeat(32)); // the fingerprint itself stays out of the log
    const events = getDb().select().from(outbox).where(eq(outbox.event, "credential.registered")).all();
    const mine = events.map((e) => JSON.parse(e.payload)).filter((p) => p.data.keyId === input.keyId);
    expect(mine).toHaveLength(1);
    expect(mine[0].data).toEqual({ keyId: input.keyId, org: w.partner.slug, label: "Eval runner" });
  });

  it("refuses to share a grant the contractor is not entitled to (sharing hands it the grant)", async () => {
    const w = await world();
    const member = actorFor(w.partnerMember.id);
    const t = registrationTarget(member, undefined);
    if (!t.ok) throw new Error("no target");
    const r = registerCredential({ actor: member, ip: null }, t.org, form({ sharedWith: [w.contractor.slug], grantModels: ["@ga", "mythos-preview"], grantEndpoints: ["messages"] }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.sharedWith?.[0]).toMatch(/not entitled to mythos-preview/);
  });

  it("refuses a key id already registered, or rotated away, without writing anything", async () => {
    const w = await world();
    const member = actorFor(w.partnerMember.id);
    const t = registrationTarget(member, undefined);
    if (!t.ok) throw new Error("no target");
    const first = form();
    expect(registerCredential({ actor: member, ip: null }, t.org, first).ok).toBe(true);
    // even another tenant cannot reuse it: unique across the portal
    const o = registrationTarget(actorFor(w.otherAdmin.id), undefined);
    if (!o.ok) throw new Error("no target");
    const dup = registerCredential({ actor: actorFor(w.otherAdmin.id), ip: null }, o.org, form({ keyId: first.keyId }));
    expect(dup).toEqual({ ok: false, errors: { keyId: ["This key id is already registered."] } });
    const c = getCredential(member, first.keyId)!;
    getDb().insert(credentialRotations).values({ credentialId: c.id, oldKeyId: `kw_old_${uid()}`, newKeyId: first.keyId, rotatedAt: new Date(), graceEndsAt: new Date() }).run();
    const old = getDb().select().from(credentialRotations).where(eq(credentialRotations.credentialId, c.id)).get()!;
    expect(registerCredential({ actor: member, ip: null }, t.org, form({ keyId: old.oldKeyId })).ok).toBe(false);
  });

  it("refuses a grant outside the organisation's entitlements, naming it", async () => {
    const w = await world();
    const admin = actorFor(w.contractorAdmin.id);
    const t = registrationTarget(admin, undefined);
    if (!t.ok) throw new Error("no target");
    const r = registerCredential({ actor: admin, ip: null }, t.org, form({ grantModels: ["atlas-2", "mythos-preview"], grantEndpoints: ["batches"] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.grantModels?.[0]).toContain("mythos-preview");
    expect(r.errors.grantModels?.[0]).not.toContain("atlas-2");
    expect(r.errors.grantEndpoints?.[0]).toContain("batches");
    // the default endpoint grant ("*") is wider than the contractor's "messages" too
    const star = registerCredential({ actor: admin, ip: null }, t.org, form({ grantModels: ["atlas-2"] }));
    expect(star.ok).toBe(false);
    if (!star.ok) expect(star.errors.grantEndpoints?.[0]).toContain("every endpoint");
    expect(registerCredential({ actor: admin, ip: null }, t.org, form({ grantModels: ["atlas-2"], grantEndpoints: ["messages"] })).ok).toBe(true);
    // the form offers only what is entitled
    const opts = registrationOptions(t.org);
    expect(opts.models.map((m) => m.name)).toEqual(["@ga", "atlas-2", "atlas-2-mini"]);
    expect(opts.endpoints).toEqual(["messages"]);
  });

  it("shares only with contractors the organisation sponsors", async () => {
    const w = await world();
    const foreignContractor = createOrg({ kind: "contractor", parentId: w.other.id, slug: `fc-${uid()}` });
    const member = actorFor(w.partnerMember.id);
    const t = registrationTarget(member, undefined);
    if (!t.ok) throw new Error("no target");
    for (const slug of [foreignContractor.slug, w.other.slug, w.partner.slug, "no-such-org"]) {
      const r = registerCredential({ actor: member, ip: null }, t.org, form({ sharedWith: [slug] }));
      expect(r.ok, slug).toBe(false);
      if (!r.ok) expect(r.errors.sharedWith?.[0]).toContain(slug);
    }
    // a contractor cannot share onwards at all
    const c = actorFor(w.contractorAdmin.id);
    const ct = registrationTarget(c, undefined);
    if (!ct.ok) throw new Error("no target");
    expect(registrationOptions(ct.org).contractors).toEqual([]);
  });

  it("refuses a holder from another organisation and registration into a suspended org", async () => {
    const w = await world();
    const member = actorFor(w.partnerMember.id);
    const t = registrationTarget(member, undefined);
    if (!t.ok) throw new Error("no target");
    const r = registerCredential({ actor: member, ip: null }, t.org, form({ holderService: "", holderUserId: w.otherAdmin.id }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors)).toEqual(["holderUserId"]);
    expect(registerCredential({ actor: member, ip: null }, t.org, form({ holderService: "", holderUserId: w.partnerAdmin.id })).ok).toBe(true);

    const suspended = createOrg({ status: "suspended", slug: `susp-${uid()}` });
    const vmT = registrationTarget(w.vmActor, suspended.slug);
    if (!vmT.ok) throw new Error("no target");
    expect(registrationOptions(vmT.org).closed).toBe(true);
    const s = registerCredential({ actor: w.vmActor, ip: null }, vmT.org, form());
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.errors._form?.[0]).toContain("suspended");
  });
});
