import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { auditLog, users } from "../../db/schema";
import { acceptInvitation, createInvitation, getUsableInvitation, INVITATION_HOURS, resendInvitation } from "../../app/models/invitation.server";
import { setUserActive } from "../../app/models/user.server";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const HOUR = 3600_000;

function ok<T extends { ok: boolean }>(r: T | null): Extract<T, { ok: true }> {
  if (!r || !r.ok) throw new Error(`expected success, got ${JSON.stringify(r)}`);
  return r as Extract<T, { ok: true }>;
}

describe("createInvitation and acceptInvitation", () => {
  it("creates an invited user with a 72-hour invitation that can be accepted exactly once", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: "192.0.2.1" };
    const inv = ok(createInvitation(ctx, { email: "new.admin@partner.test", name: "New Admin", role: "partner_admin", orgSlug: w.partner.slug }));
    expect(inv.expiresAt.getTime() - Date.now()).toBeGreaterThan((INVITATION_HOURS - 1) * HOUR);
    expect(inv.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(INVITATION_HOURS * HOUR);
    const row = getDb().select().from(users).where(eq(users.id, inv.userId)).get()!;
    expect(row).toMatchObject({ email: "new.admin@partner.test", status: "invited", role: "partner_admin", orgId: w.partner.id, passwordHash: null });
    expect(getUsableInvitation(inv.invitationId, inv.userId)?.email).toBe("new.admin@partner.test");

    expect(acceptInvitation({ actor: null, ip: null }, inv.invitationId, inv.userId, "hash-1")).toBe(true);
    const after = getDb().select().from(users).where(eq(users.id, inv.userId)).get()!;
    expect(after.status).toBe("active");
    expect(after.passwordHash).toBe("hash-1");
    // single use: neither usable nor acceptable again, and the password is not overwritten
    expect(getUsableInvitation(inv.invitationId, inv.userId)).toBeNull();
    expect(acceptInvitation({ actor: null, ip: null }, inv.invitationId, inv.userId, "hash-2")).toBe(false);
    expect(getDb().select().from(users).where(eq(users.id, inv.userId)).get()!.passwordHash).toBe("hash-1");

    const actions = getDb().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, inv.userId)).all().map((r) => r.action);
    expect(actions).toEqual(["user.invited", "user.invitation_accepted"]);
  });

  it("does not accept an invitation whose id does not belong to the user named", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    const a = ok(createInvitation(ctx, { email: "a@partner.test", name: "A", role: "partner_member", orgSlug: w.partner.slug }));
    const b = ok(createInvitation(ctx, { email: "b@partner.test", name: "B", role: "partner_member", orgSlug: w.partner.slug }));
    expect(getUsableInvitation(a.invitationId, b.userId)).toBeNull();
    expect(acceptInvitation({ actor: null, ip: null }, a.invitationId, b.userId, "h")).toBe(false);
  });

  it("makes an expired invitation unusable", async () => {
    const w = await tenancyWorld();
    const created = new Date(Date.now() - (INVITATION_HOURS + 1) * HOUR);
    const inv = ok(createInvitation({ actor: actorFor(w.vm.id), ip: null, now: created }, { email: "late@partner.test", name: "Late", role: "partner_member", orgSlug: w.partner.slug }));
    expect(inv.expiresAt.getTime()).toBeLessThan(Date.now());
    expect(getUsableInvitation(inv.invitationId, inv.userId)).toBeNull();
    // usable just before it expired, not at the moment it expires
    expect(getUsableInvitation(inv.invitationId, inv.userId, new Date(inv.expiresAt.getTime() - 1))).not.toBeNull();
    expect(getUsableInvitation(inv.invitationId, inv.userId, inv.expiresAt)).toBeNull();
    // and the model itself refuses to accept it, whatever the caller checked
    expect(acceptInvitation({ actor: null, ip: null }, inv.invitationId, inv.userId, "h")).toBe(false);
    expect(getDb().select().from(users).where(eq(users.id, inv.userId)).get()!.status).toBe("invited");
  });

  it("re-inviting replaces the old invitation: the old one stops working, the new one works", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    const old = ok(createInvitation({ ...ctx, now: new Date(Date.now() - 100 * HOUR) }, { email: "again@partner.test", name: "Again", role: "partner_member", orgSlug: w.partner.slug }));
    expect(getUsableInvitation(old.invitationId, old.userId)).toBeNull(); // expired
    const fresh = ok(createInvitation(ctx, { email: "Again@Partner.test".toLowerCase(), name: "Again Renamed", role: "partner_admin", orgSlug: w.partner.slug }));
    expect(fresh.userId).toBe(old.userId);
    expect(fresh.reinvited).toBe(true);
    expect(fresh.invitationId).not.toBe(old.invitationId);
    expect(getUsableInvitation(fresh.invitationId, fresh.userId)).not.toBeNull();
    expect(getDb().select().from(users).where(eq(users.id, old.userId)).get()).toMatchObject({ name: "Again Renamed", role: "partner_admin" });

    // a third invitation makes the second (still unexpired) one unusable too
    const third = ok(createInvitation(ctx, { email: "again@partner.test", name: "Again", role: "partner_admin", orgSlug: w.partner.slug }));
    expect(getUsableInvitation(fresh.invitationId, fresh.userId)).toBeNull();
    expect(acceptInvitation({ actor: null, ip: null }, fresh.invitationId, fresh.userId, "h")).toBe(false);
    expect(acceptInvitation({ actor: null, ip: null }, third.invitationId, third.userId, "h")).toBe(true);
  });

  it("refuses to invite someone who already has an account", async () => {
    const w = await tenancyWorld();
    const existing = await createUser({ role: "partner_member", orgId: w.partner.id });
    const r = createInvitation({ actor: actorFor(w.vm.id), ip: null }, { email: existing.email, name: "X", role: "partner_member", orgSlug: w.partner.slug });
    expect(r).toMatchObject({ ok: false, field: "email" });
  });
});

describe("who may invite whom", () => {
  it("lets a partner admin invite partner roles into its own organisation", async () => {
    const w = await tenancyWorld();
    const r = createInvitation({ actor: actorFor(w.partnerAdmin.id), ip: null }, { email: "colleague@partner.test", name: "Colleague", role: "partner_member", orgSlug: w.partner.slug });
    expect(r.ok).toBe(true);
  });

  it("refuses a partner admin inviting into another partner, or into its own contractor", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.partnerAdmin.id);
    const other = createInvitation({ actor, ip: null }, { email: "x@other.test", name: "X", role: "partner_member", orgSlug: w.other.slug });
    expect(other).toMatchObject({ ok: false, field: "orgSlug" });
    const contractor = createInvitation({ actor, ip: null }, { email: "y@contractor.test", name: "Y", role: "partner_member", orgSlug: w.contractor.slug });
    expect(contractor).toMatchObject({ ok: false, field: "orgSlug" });
    expect(getDb().select().from(users).where(eq(users.email, "x@other.test")).get()).toBeUndefined();
    expect(getDb().select().from(users).where(eq(users.email, "y@contractor.test")).get()).toBeUndefined();
  });

  it("refuses a partner admin granting an internal role", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.partnerAdmin.id);
    for (const role of ["vendor_manager", "security", "auditor"] as const) {
      const r = createInvitation({ actor, ip: null }, { email: `${role}@evil.test`, name: "Z", role });
      expect(r).toMatchObject({ ok: false, field: "role" });
      const withOrg = createInvitation({ actor, ip: null }, { email: `${role}2@evil.test`, name: "Z", role, orgSlug: w.partner.slug });
      expect(withOrg).toMatchObject({ ok: false, field: "role" });
    }
  });

  it("refuses roles without the right kind of organisation and offboarded organisations", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip: null };
    expect(createInvitation(ctx, { email: "s@x.test", name: "S", role: "security", orgSlug: w.partner.slug })).toMatchObject({ ok: false, field: "role" });
    expect(createInvitation(ctx, { email: "p@x.test", name: "P", role: "partner_member" })).toMatchObject({ ok: false, field: "role" });
    const gone = createOrg({ status: "offboarded" });
    expect(createInvitation(ctx, { email: "g@x.test", name: "G", role: "partner_member", orgSlug: gone.slug })).toMatchObject({ ok: false, field: "orgSlug" });
    expect(createInvitation(ctx, { email: "sec@x.test", name: "Sec", role: "security" }).ok).toBe(true);
  });
});

describe("resendInvitation", () => {
  it("gives an invited user of the admin's own org a new link and voids the old one", async () => {
    const w = await tenancyWorld();
    const admin = { actor: actorFor(w.partnerAdmin.id), ip: null };
    const first = ok(createInvitation(admin, { email: "lost@partner.test", name: "Lost", role: "partner_member", orgSlug: w.partner.slug }));
    const again = ok(resendInvitation(admin, first.userId));
    expect(again.userId).toBe(first.userId);
    expect(getUsableInvitation(first.invitationId, first.userId)).toBeNull();
    expect(getUsableInvitation(again.invitationId, again.userId)).not.toBeNull();
  });

  it("answers null for another tenant's user and refuses active users", async () => {
    const w = await tenancyWorld();
    const vm = { actor: actorFor(w.vm.id), ip: null };
    const otherInvite = ok(createInvitation(vm, { email: "o@other.test", name: "O", role: "partner_member", orgSlug: w.other.slug }));
    expect(resendInvitation({ actor: actorFor(w.partnerAdmin.id), ip: null }, otherInvite.userId)).toBeNull();
    expect(resendInvitation(vm, w.partnerMember.id)).toMatchObject({ ok: false });
  });

  it("a deactivated invitee's link stops working, also after reactivation", async () => {
    const w = await tenancyWorld();
    const vm = { actor: actorFor(w.vm.id), ip: null };
    const inv = ok(createInvitation(vm, { email: "gone@partner.test", name: "Gone", role: "partner_member", orgSlug: w.partner.slug }));
    setUserActive(vm, inv.userId, false);
    expect(getUsableInvitation(inv.invitationId, inv.userId)).toBeNull();
    setUserActive(vm, inv.userId, true);
    expect(getDb().select().from(users).where(eq(users.id, inv.userId)).get()!.status).toBe("invited");
    expect(getUsableInvitation(inv.invitationId, inv.userId)).toBeNull();
    expect(ok(resendInvitation(vm, inv.userId)).userId).toBe(inv.userId);
  });
});
