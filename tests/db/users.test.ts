import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditLog, sessions, users } from "../../db/schema";
import { createUserSession } from "../../app/auth.server";
import {
  changeUserRole,
  countActiveSessions,
  getActor,
  getUser,
  getUserDetail,
  listUserOrgOptions,
  listUsers,
  setUserActive,
  UserRuleError,
} from "../../app/models/user.server";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();

describe("listUsers and getUser keep tenants apart", () => {
  it("shows a partner admin its own and its contractors' users, not another partner's", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.partnerAdmin.id);
    const seen = ids(listUsers(actor, {}, 100).rows);
    expect(seen).toEqual([w.partnerAdmin.id, w.partnerMember.id, w.contractorAdmin.id].sort());
    expect(getUser(actor, w.contractorAdmin.id)?.id).toBe(w.contractorAdmin.id);
    expect(getUser(actor, w.otherAdmin.id)).toBeNull();
    expect(getUser(actor, w.vm.id)).toBeNull(); // internal users are not in a partner's scope
    expect(getUserDetail(actor, w.otherAdmin.id)).toBeNull();
    // filtering by another tenant's slug finds nothing rather than leaking
    expect(listUsers(actor, { orgSlug: w.other.slug }).total).toBe(0);
    expect(listUserOrgOptions(actor).map((o) => o.slug).sort()).toEqual([w.partner.slug, w.contractor.slug].sort());
  });

  it("shows a contractor's users only their own organisation", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.contractorAdmin.id);
    expect(ids(listUsers(actor, {}, 100).rows)).toEqual([w.contractorAdmin.id]);
    expect(getUser(actor, w.partnerAdmin.id)).toBeNull();
    expect(listUserOrgOptions(actor).map((o) => o.slug)).toEqual([w.contractor.slug]);
  });

  it("lets a partner member read its own org's users", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.partnerMember.id);
    expect(ids(listUsers(actor, {}, 100).rows)).toEqual([w.partnerAdmin.id, w.partnerMember.id, w.contractorAdmin.id].sort());
    expect(getUser(actor, w.otherAdmin.id)).toBeNull();
  });

  it("shows internal users everyone, with search, filters and pagination", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.vm.id);
    const all = listUsers(actor, {}, 1000);
    expect(all.rows.map((r) => r.id)).toEqual(expect.arrayContaining([w.partnerAdmin.id, w.otherAdmin.id, w.contractorAdmin.id, w.vm.id]));
    expect(listUsers(actor, { orgSlug: w.other.slug }).rows.map((r) => r.id)).toEqual([w.otherAdmin.id]);
    const named = await createUser({ role: "partner_member", orgId: w.other.id, name: "Zelda 100%_match", email: "zelda@other.test" });
    expect(listUsers(actor, { q: "ZELDA" }).rows.map((r) => r.id)).toEqual([named.id]);
    expect(listUsers(actor, { q: "zelda@other" }).rows.map((r) => r.id)).toEqual([named.id]);
    // % and _ are searched for literally, not as wildcards
    expect(listUsers(actor, { q: "100%_m" }).rows.map((r) => r.id)).toEqual([named.id]);
    expect(listUsers(actor, { q: "%" }).rows.map((r) => r.id)).toEqual([named.id]);
    expect(listUsers(actor, { q: "a_b" }).total).toBe(0);
    expect(listUsers(actor, { role: "vendor_manager" }).rows.every((r) => r.role === "vendor_manager")).toBe(true);
    await createUser({ role: "partner_member", orgId: w.other.id, status: "invited" });
    expect(listUsers(actor, { status: "invited" }).rows.every((r) => r.status === "invited")).toBe(true);
    const p1 = listUsers(actor, {}, 2);
    const p2 = listUsers(actor, { page: 2 }, 2);
    expect(p1.rows).toHaveLength(2);
    expect(p1.pageCount).toBe(Math.ceil(p1.total / 2));
    expect(ids(p1.rows)).not.toEqual(ids(p2.rows));
  });
});

describe("changeUserRole", () => {
  it("lets a vendor manager change a partner user's role, ends their sessions and audits it", async () => {
    const w = await tenancyWorld();
    await createUserSession(w.partnerMember.id);
    expect(countActiveSessions(w.partnerMember.id)).toBe(1);
    expect(changeUserRole({ actor: actorFor(w.vm.id), ip: "192.0.2.9" }, w.partnerMember.id, "partner_admin")).toEqual({ changed: true });
    expect(getDb().select().from(users).where(eq(users.id, w.partnerMember.id)).get()!.role).toBe("partner_admin");
    expect(countActiveSessions(w.partnerMember.id)).toBe(0);
    const audit = getDb().select().from(auditLog).where(eq(auditLog.targetId, w.partnerMember.id)).all().at(-1)!;
    expect(audit).toMatchObject({ action: "user.role_changed", actorId: w.vm.id, ip: "192.0.2.9" });
    expect(JSON.parse(audit.details)).toEqual({ from: "partner_member", to: "partner_admin" });
  });

  it("keeps internal users internal and partner users partner", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    const sec = await createUser({ role: "security" });
    expect(() => changeUserRole(ctx, sec.id, "partner_admin")).toThrow(UserRuleError);
    expect(() => changeUserRole(ctx, w.partnerAdmin.id, "vendor_manager")).toThrow("Partner users keep a partner role.");
    expect(changeUserRole(ctx, sec.id, "auditor")).toEqual({ changed: true });
  });

  it("refuses changing one's own role", async () => {
    const w = await tenancyWorld();
    expect(() => changeUserRole({ actor: actorFor(w.vm.id), ip: null }, w.vm.id, "auditor")).toThrow("You cannot change your own account here.");
    expect(() => changeUserRole({ actor: actorFor(w.partnerAdmin.id), ip: null }, w.partnerAdmin.id, "partner_member")).toThrow(UserRuleError);
  });

  it("limits a partner admin to its own organisation's users and to partner roles", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.partnerAdmin.id), ip: null };
    expect(changeUserRole(ctx, w.partnerMember.id, "partner_admin")).toEqual({ changed: true });
    // a contractor's user is visible but not the partner admin's to manage
    expect(() => changeUserRole(ctx, w.contractorAdmin.id, "partner_member")).toThrow("Partner admins manage users of their own organisation only.");
    // another tenant's user is simply not found
    expect(changeUserRole(ctx, w.otherAdmin.id, "partner_member")).toBeNull();
    const colleague = await createUser({ role: "partner_member", orgId: w.partner.id });
    expect(() => changeUserRole(ctx, colleague.id, "security")).toThrow("You cannot grant that role.");
    expect(getDb().select().from(users).where(eq(users.id, w.otherAdmin.id)).get()!.role).toBe("partner_admin");
  });

  it("refuses roles that do not manage users", async () => {
    const w = await tenancyWorld();
    const auditor = await createUser({ role: "auditor" });
    expect(() => changeUserRole({ actor: actorFor(auditor.id), ip: null }, w.partnerMember.id, "partner_admin")).toThrow(UserRuleError);
    expect(() => changeUserRole({ actor: actorFor(w.partnerMember.id), ip: null }, w.partnerAdmin.id, "partner_member")).toThrow(UserRuleError);
  });
});

describe("setUserActive", () => {
  it("deactivation deletes the user's sessions at once and stops them signing in", async () => {
    const w = await tenancyWorld();
    await createUserSession(w.partnerMember.id);
    await createUserSession(w.partnerMember.id);
    await createUserSession(w.partnerAdmin.id);
    expect(getDb().select().from(sessions).where(eq(sessions.userId, w.partnerMember.id)).all()).toHaveLength(2);

    expect(setUserActive({ actor: actorFor(w.partnerAdmin.id), ip: null }, w.partnerMember.id, false)).toEqual({ changed: true });
    expect(getDb().select().from(sessions).where(eq(sessions.userId, w.partnerMember.id)).all()).toHaveLength(0);
    expect(countActiveSessions(w.partnerAdmin.id)).toBe(1); // others untouched
    expect(getActor(w.partnerMember.id)).toBeNull();
    const audit = getDb().select().from(auditLog).where(eq(auditLog.targetId, w.partnerMember.id)).all().at(-1)!;
    expect(audit.action).toBe("user.deactivated");

    // deactivating twice changes nothing; reactivating restores an account that had a password
    expect(setUserActive({ actor: actorFor(w.vm.id), ip: null }, w.partnerMember.id, false)).toEqual({ changed: false });
    expect(setUserActive({ actor: actorFor(w.vm.id), ip: null }, w.partnerMember.id, true)).toEqual({ changed: true });
    expect(getActor(w.partnerMember.id)?.id).toBe(w.partnerMember.id);
  });

  it("reactivates someone who never set a password as invited", async () => {
    const w = await tenancyWorld();
    const never = await createUser({ role: "partner_member", orgId: w.partner.id, status: "invited" });
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    setUserActive(ctx, never.id, false);
    setUserActive(ctx, never.id, true);
    expect(getDb().select().from(users).where(eq(users.id, never.id)).get()!.status).toBe("invited");
  });

  it("applies the same rules as role changes: not oneself, own org only, 404 for other tenants", async () => {
    const w = await tenancyWorld();
    const admin = { actor: actorFor(w.partnerAdmin.id), ip: null };
    expect(() => setUserActive(admin, w.partnerAdmin.id, false)).toThrow("You cannot change your own account here.");
    expect(() => setUserActive(admin, w.contractorAdmin.id, false)).toThrow(UserRuleError);
    expect(setUserActive(admin, w.otherAdmin.id, false)).toBeNull();
    expect(getActor(w.otherAdmin.id)).not.toBeNull();
    expect(getActor(w.contractorAdmin.id)).not.toBeNull();
    const org = createOrg();
    const stranger = await createUser({ role: "partner_member", orgId: org.id });
    expect(setUserActive({ actor: actorFor(w.contractorAdmin.id), ip: null }, stranger.id, false)).toBeNull();
  });
});

describe("getUserDetail", () => {
  it("reports sessions and the outstanding invitation", async () => {
    const w = await tenancyWorld();
    const invited = await createUser({ role: "partner_member", orgId: w.partner.id, status: "invited" });
    const d = getUserDetail(actorFor(w.partnerAdmin.id), invited.id)!;
    expect(d.status).toBe("invited");
    expect(d.invitation).toBeNull(); // the factory created no invitation row
    await createUserSession(w.partnerMember.id);
    expect(getUserDetail(actorFor(w.partnerAdmin.id), w.partnerMember.id)!.activeSessions).toBe(1);
  });
});
