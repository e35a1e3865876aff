import { describe, expect, it } from "vitest";
import { accessFor, can, rulesFor } from "~/domain/permissions";
import { ROLES } from "~/domain/roles";
import { inScope, tenantScope } from "~/domain/tenancy";

describe("the can() rule table", () => {
  it("gives vendor managers every organisation, user, catalog and policy change", () => {
    const vm = { role: "vendor_manager" as const };
    for (const p of ["create:org:any", "update:org:any", "approve:org:any", "invite:user:any", "update:catalog:any", "update:policy:any", "read:audit:any"] as const) {
      expect(can(vm, p), p).toBe(true);
    }
  });

  it("keeps security and auditors read-only on organisations, users, catalog and policies", () => {
    for (const role of ["security", "auditor"] as const) {
      expect(can({ role }, "read:org:any")).toBe(true);
      expect(can({ role }, "read:audit:any")).toBe(true);
      for (const p of ["create:org:any", "update:org:any", "invite:user:any", "update:catalog:any", "update:policy:any"] as const) expect(can({ role }, p), `${role} ${p}`).toBe(false);
    }
  });

  it("limits partner admins to their own tenant and lets only a partner's admin sponsor contractors", () => {
    const partnerAdmin = { role: "partner_admin" as const, orgKind: "partner" as const };
    const contractorAdmin = { role: "partner_admin" as const, orgKind: "contractor" as const };
    expect(accessFor(partnerAdmin, "read:org")).toBe("own");
    expect(can(partnerAdmin, "read:org:any")).toBe(false);
    expect(can(partnerAdmin, "invite:user:own")).toBe(true);
    expect(can(partnerAdmin, "sponsor:org:own")).toBe(true);
    expect(can(contractorAdmin, "sponsor:org:own")).toBe(false);
    expect(can(partnerAdmin, "read:audit:any")).toBe(false);
    expect(can(partnerAdmin, "read:policy:any")).toBe(false);
  });

  it("lets partner members read their own tenant and change nothing", () => {
    const m = { role: "partner_member" as const, orgKind: "partner" as const };
    expect(can(m, "read:org")).toBe(true);
    expect(can(m, "invite:user")).toBe(false);
    expect(can(m, "update:user")).toBe(false);
    expect(can(m, "sponsor:org:own")).toBe(false);
  });

  it("refuses everything to nobody, and every role has rules", () => {
    expect(can(null, "read:org")).toBe(false);
    expect(accessFor(undefined, "read:org")).toBeNull();
    for (const role of ROLES) expect(rulesFor(role).length).toBeGreaterThan(0);
  });
});

describe("tenant scope", () => {
  it("gives internal roles everything", () => {
    expect(tenantScope({ role: "auditor", orgId: null, orgKind: null })).toEqual({ all: true });
  });
  it("gives a partner its org and its contractors, a contractor only itself", () => {
    const p = tenantScope({ role: "partner_member", orgId: "p1", orgKind: "partner" }, ["c1", "c2"]);
    expect(inScope(p, "c2")).toBe(true);
    expect(inScope(p, "p2")).toBe(false);
    const c = tenantScope({ role: "partner_admin", orgId: "c1", orgKind: "contractor" }, ["ignored"]);
    expect(c).toEqual({ all: false, orgIds: ["c1"] });
    expect(inScope(c, null)).toBe(false);
  });
  it("gives a partner user without an org nothing", () => {
    expect(tenantScope({ role: "partner_admin", orgId: null, orgKind: null })).toEqual({ all: false, orgIds: [] });
  });
});

describe("credential permissions", () => {
  it("lets partner users register and rotate their own, vendor managers anything, and only vendor managers widen", () => {
    expect(can({ role: "partner_member" }, "create:credential:own")).toBe(true);
    expect(can({ role: "partner_member" }, "update:credential:any")).toBe(false);
    expect(can({ role: "vendor_manager" }, "widen:credential:any")).toBe(true);
    for (const role of ["security", "auditor", "partner_admin", "partner_member"] as const) expect(can({ role }, "widen:credential:any"), role).toBe(false);
    expect(can({ role: "security" }, "update:credential:any")).toBe(true);
    expect(can({ role: "auditor" }, "update:credential")).toBe(false);
    expect(can({ role: "auditor" }, "read:credential:any")).toBe(true);
  });
});

describe("log import permissions", () => {
  it("lets security import and manage push tokens; others read imports at most", () => {
    expect(can({ role: "security" }, "create:import:any")).toBe(true);
    expect(can({ role: "security" }, "update:token:any")).toBe(true);
    for (const role of ["vendor_manager", "auditor"] as const) {
      expect(can({ role }, "read:import:any")).toBe(true);
      expect(can({ role }, "create:import:any")).toBe(false);
      expect(can({ role }, "update:token:any")).toBe(false);
    }
    for (const role of ["partner_admin", "partner_member"] as const) expect(can({ role }, "read:import")).toBe(false);
  });
});
