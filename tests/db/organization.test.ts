import { describe, expect, it } from "vitest";
import { listAudit, verifyAuditChain } from "../../app/models/audit.server";
import {
  createOrganization,
  getOrganization,
  listContractors,
  listOrganizations,
  setOrganizationStatus,
  sponsorContractor,
  updateOrganization,
} from "../../app/models/organization.server";
import { actorFor, createOrg, createUser, tenancyWorld } from "../support/factories";

const ip = "192.0.2.10";
const slugs = (rows: { slug: string }[]) => rows.map((r) => r.slug).sort();

describe("organisation tenancy", () => {
  it("shows a partner admin its own org and its contractors, and nothing of another partner", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.partnerAdmin.id);
    const list = listOrganizations(actor, {}, 100);
    expect(slugs(list.rows)).toEqual([w.partner.slug, w.contractor.slug].sort());
    expect(list.total).toBe(2);
    expect(getOrganization(actor, w.partner.slug)?.id).toBe(w.partner.id);
    expect(getOrganization(actor, w.contractor.slug)?.id).toBe(w.contractor.id);
    expect(getOrganization(actor, w.other.slug)).toBeNull();
    // Searching by another tenant's exact slug finds nothing either.
    expect(listOrganizations(actor, { q: w.other.slug }).total).toBe(0);
  });

  it("shows a contractor admin only its own org, not its sponsor", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.contractorAdmin.id);
    expect(slugs(listOrganizations(actor, {}, 100).rows)).toEqual([w.contractor.slug]);
    expect(getOrganization(actor, w.partner.slug)).toBeNull();
    expect(getOrganization(actor, w.other.slug)).toBeNull();
    expect(getOrganization(actor, w.contractor.slug)?.parentSlug).toBe(w.partner.slug);
    // Nor can it enumerate its sponsor's other contractors.
    createOrg({ kind: "contractor", parentId: w.partner.id });
    expect(slugs(listContractors(actor, w.partner.id))).toEqual([w.contractor.slug]);
  });

  it("shows another partner nothing of the first partner or its contractor", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.otherAdmin.id);
    const seen = slugs(listOrganizations(actor, {}, 100).rows);
    expect(seen).toEqual([w.other.slug]);
    expect(getOrganization(actor, w.partner.slug)).toBeNull();
    expect(getOrganization(actor, w.contractor.slug)).toBeNull();
    expect(listContractors(actor, w.partner.id)).toEqual([]);
  });

  it("shows a vendor manager every organisation, with user counts, sponsor and filters", async () => {
    const w = await tenancyWorld();
    const actor = actorFor(w.vm.id);
    const all = listOrganizations(actor, {}, 1000);
    const seen = slugs(all.rows);
    for (const o of [w.partner, w.contractor, w.other]) expect(seen).toContain(o.slug);
    const partnerRow = all.rows.find((r) => r.slug === w.partner.slug)!;
    expect(partnerRow.userCount).toBe(2); // admin and member
    const contractorRow = all.rows.find((r) => r.slug === w.contractor.slug)!;
    expect(contractorRow.parentSlug).toBe(w.partner.slug);
    expect(getOrganization(actor, w.other.slug)?.id).toBe(w.other.id);
    const contractors = listOrganizations(actor, { kind: "contractor" }, 1000).rows;
    expect(contractors.every((r) => r.kind === "contractor")).toBe(true);
    expect(slugs(contractors)).toContain(w.contractor.slug);
  });

  it("treats % and _ in a search as literal characters", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const actor = actorFor(vm.id);
    createOrg({ name: "Hundred Percent 100% Ltd" });
    createOrg({ name: "Plain 100X Ltd" });
    const found = listOrganizations(actor, { q: "100%" }).rows.map((r) => r.name);
    expect(found).toEqual(["Hundred Percent 100% Ltd"]);
  });
});

describe("creating and changing organisations", () => {
  it("refuses a slug that is taken, as a field error, and writes nothing", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const ctx = { actor: actorFor(vm.id), ip };
    const first = createOrganization(ctx, { name: "Acme", slug: "acme-dup", kind: "partner", tier: "standard" });
    expect(first).toEqual({ ok: true, value: { slug: "acme-dup" } });
    const created = getOrganization(ctx.actor, "acme-dup")!;
    expect(created.status).toBe("onboarding");
    expect(created.ownerId).toBe(vm.id);
    const before = listAudit(ctx.actor, {}).rows.length;
    const again = createOrganization(ctx, { name: "Acme Two", slug: "acme-dup", kind: "partner", tier: "standard" });
    expect(again).toEqual({ ok: false, field: "slug", message: "That slug is taken; choose another." });
    expect(listAudit(ctx.actor, {}).rows.length).toBe(before);
    expect(getOrganization(ctx.actor, "acme-dup")!.name).toBe("Acme");
  });

  it("refuses a contractor whose sponsor is not a partner, and an owner who is not a vendor manager", async () => {
    const w = await tenancyWorld();
    const ctx = { actor: actorFor(w.vm.id), ip };
    const underContractor = createOrganization(ctx, { name: "Sub", slug: "sub-of-contractor", kind: "contractor", tier: "standard", parentSlug: w.contractor.slug });
    expect(underContractor).toMatchObject({ ok: false, field: "parentSlug" });
    const badOwner = createOrganization(ctx, { name: "Owned", slug: "owned-by-partner", kind: "partner", tier: "standard", ownerId: w.partnerAdmin.id });
    expect(badOwner).toMatchObject({ ok: false, field: "ownerId" });
    expect(getOrganization(ctx.actor, "sub-of-contractor")).toBeNull();
    expect(getOrganization(ctx.actor, "owned-by-partner")).toBeNull();
  });

  it("treats a blank owner or sponsor (an empty select) as none, not as an id", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const ctx = { actor: actorFor(vm.id), ip };
    const res = createOrganization(ctx, { name: "Blank Owner", slug: "blank-owner", kind: "partner", tier: "standard", ownerId: "", parentSlug: "" });
    expect(res.ok).toBe(true);
    const org = getOrganization(ctx.actor, "blank-owner")!;
    expect(org.ownerId).toBe(vm.id); // defaults to the creator
    expect(updateOrganization(ctx, org, { name: "Blank Owner", tier: "restricted", ownerId: "" }).ok).toBe(true);
    expect(getOrganization(ctx.actor, "blank-owner")).toMatchObject({ ownerId: vm.id, tier: "restricted" });
  });

  it("lets a partner admin sponsor a contractor: parent set, tier inherited, onboarding, audited", async () => {
    const partner = createOrg({ kind: "partner", tier: "restricted" });
    const admin = await createUser({ role: "partner_admin", orgId: partner.id });
    const ctx = { actor: actorFor(admin.id), ip };
    const result = sponsorContractor(ctx, { name: "Sub Co", slug: "sub-co-sponsored", contactEmail: "ops@sub.example" });
    expect(result).toEqual({ ok: true, value: { slug: "sub-co-sponsored" } });
    const org = getOrganization(ctx.actor, "sub-co-sponsored")!;
    expect(org).toMatchObject({ kind: "contractor", parentId: partner.id, parentSlug: partner.slug, tier: "restricted", status: "onboarding", contactEmail: "ops@sub.example" });
    // The partner's admin now sees it among its contractors.
    expect(slugs(listContractors(ctx.actor, partner.id))).toEqual(["sub-co-sponsored"]);

    const vm = await createUser({ role: "vendor_manager" });
    const entry = listAudit(actorFor(vm.id), { action: "org.sponsored" }).rows.find((r) => r.targetId === org.id);
    expect(entry).toBeDefined();
    expect(entry).toMatchObject({ actorEmail: admin.email, targetType: "org", orgId: org.id, ip });
    expect(JSON.parse(entry!.details)).toMatchObject({ slug: "sub-co-sponsored", parent: partner.slug, tier: "restricted" });
    expect(verifyAuditChain().ok).toBe(true);
  });

  it("does not let a contractor's admin or a partner member sponsor", async () => {
    const w = await tenancyWorld();
    for (const u of [w.contractorAdmin, w.partnerMember]) {
      const ctx = { actor: actorFor(u.id), ip };
      const res = sponsorContractor(ctx, { name: "Nope", slug: `nope-${u.id.slice(0, 8)}` });
      expect(res.ok).toBe(false);
      expect(getOrganization(actorFor(w.vm.id), `nope-${u.id.slice(0, 8)}`)).toBeNull();
    }
  });

  it("moves status only along allowed transitions, auditing each change", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const actor = actorFor(vm.id);
    const ctx = { actor, ip };
    const org = createOrg({ status: "onboarding" });

    // onboarding → suspended is not a transition.
    const illegal = setOrganizationStatus(ctx, { id: org.id, slug: org.slug, status: "onboarding" }, "suspended");
    expect(illegal).toEqual({ ok: false, field: "status", message: "An organisation cannot go from onboarding to suspended." });
    expect(getOrganization(actor, org.slug)!.status).toBe("onboarding");

    expect(setOrganizationStatus(ctx, getOrganization(actor, org.slug)!, "active").ok).toBe(true);
    expect(getOrganization(actor, org.slug)!.status).toBe("active");
    expect(listAudit(actor, { action: "org.approved" }).rows.some((r) => r.targetId === org.id)).toBe(true);

    expect(setOrganizationStatus(ctx, getOrganization(actor, org.slug)!, "offboarded", "agreement ended").ok).toBe(true);
    const off = listAudit(actor, { action: "org.offboarded" }).rows.find((r) => r.targetId === org.id)!;
    expect(JSON.parse(off.details)).toMatchObject({ from: "active", to: "offboarded", reason: "agreement ended" });

    // Offboarded is final.
    const back = setOrganizationStatus(ctx, getOrganization(actor, org.slug)!, "active");
    expect(back.ok).toBe(false);
    expect(getOrganization(actor, org.slug)!.status).toBe("offboarded");
  });

  it("refuses a change based on a stale status", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const ctx = { actor: actorFor(vm.id), ip };
    const org = createOrg({ status: "active" });
    const seen = getOrganization(ctx.actor, org.slug)!;
    expect(setOrganizationStatus(ctx, seen, "suspended").ok).toBe(true);
    // A second manager, still looking at "active", offboards: refused, the org stays suspended.
    const stale = setOrganizationStatus(ctx, seen, "offboarded");
    expect(stale.ok).toBe(false);
    expect(getOrganization(ctx.actor, org.slug)!.status).toBe("suspended");
  });

  it("updates editable fields, records what changed, and leaves slug and kind alone", async () => {
    const vm = await createUser({ role: "vendor_manager" });
    const ctx = { actor: actorFor(vm.id), ip };
    const org = createOrg({ name: "Before Ltd", tier: "standard" });
    const res = updateOrganization(ctx, org, { name: "After Ltd", tier: "restricted", agreementStart: "2026-01-01", agreementEnd: "2026-12-31" });
    expect(res.ok).toBe(true);
    const after = getOrganization(ctx.actor, org.slug)!;
    expect(after).toMatchObject({ name: "After Ltd", tier: "restricted", slug: org.slug, kind: "partner", agreementEnd: "2026-12-31" });
    const entry = listAudit(ctx.actor, { action: "org.updated" }).rows.find((r) => r.targetId === org.id)!;
    expect(JSON.parse(entry.details).changes).toMatchObject({ name: { from: "Before Ltd", to: "After Ltd" }, tier: { from: "standard", to: "restricted" } });
  });
});
