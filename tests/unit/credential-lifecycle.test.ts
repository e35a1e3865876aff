import { describe, expect, it } from "vitest";
import {
  allowedActions,
  buildTimeline,
  LIFECYCLE_ACTIONS,
  LifecycleFormSchema,
  refusal,
  sameGrant,
  type LifecycleAction,
  type LifecycleActor,
} from "~/domain/credential-lifecycle";
import type { CredentialStatus } from "~/domain/credential-policy";
import { can } from "~/domain/permissions";
import { ROLES, type Role } from "~/domain/roles";

// The world: a partner P with a contractor C, and an unrelated partner O. A credential belongs to P, C or O.
const P = "org-partner";
const C = "org-contractor";
const O = "org-other";
type Relation = "own" | "contractor" | "other";
const STATUSES: CredentialStatus[] = ["active", "suspended", "revoked", "expired"];

function actorOf(role: Role, kind: "partner" | "contractor" = "partner"): LifecycleActor {
  if (role === "vendor_manager" || role === "security" || role === "auditor") return { role, orgId: null, orgKind: null };
  return kind === "partner" ? { role, orgId: P, orgKind: "partner" } : { role, orgId: C, orgKind: "contractor" };
}
/** Where a credential sits relative to a partner user: their own org, their contractor's, or another tenant's. */
const orgFor: Record<Relation, string> = { own: P, contractor: C, other: O };

// Expected actions for an active / a suspended credential; revoked and expired credentials allow nothing.
// Written out by hand: this is the specification, not a copy of the implementation.
const TABLE: [Role, Relation, active: string, suspended: string][] = [
  ["vendor_manager", "own", "rotate suspend revoke narrow widen", "rotate reactivate revoke narrow widen"],
  ["vendor_manager", "contractor", "rotate suspend revoke narrow widen", "rotate reactivate revoke narrow widen"],
  ["vendor_manager", "other", "rotate suspend revoke narrow widen", "rotate reactivate revoke narrow widen"],
  ["security", "own", "suspend revoke", "reactivate revoke"],
  ["security", "contractor", "suspend revoke", "reactivate revoke"],
  ["security", "other", "suspend revoke", "reactivate revoke"],
  ["auditor", "own", "", ""],
  ["auditor", "contractor", "", ""],
  ["auditor", "other", "", ""],
  ["partner_admin", "own", "rotate suspend revoke narrow", "rotate revoke narrow"],
  ["partner_admin", "contractor", "", ""],
  ["partner_admin", "other", "", ""],
  ["partner_member", "own", "rotate narrow", "rotate narrow"],
  ["partner_member", "contractor", "", ""],
  ["partner_member", "other", "", ""],
];
const sorted = (s: Iterable<LifecycleAction>) => [...s].sort();
const parse = (s: string) => (s ? (s.split(" ") as LifecycleAction[]).sort() : []);

describe("allowedActions: role × organisation × status", () => {
  it("covers every role", () => {
    expect(new Set(TABLE.map((r) => r[0]))).toEqual(new Set(ROLES));
  });

  for (const [role, relation, active, suspended] of TABLE) {
    for (const status of STATUSES) {
      const expected = status === "active" ? parse(active) : status === "suspended" ? parse(suspended) : [];
      it(`${role} on ${relation} org's ${status} credential → ${expected.join(", ") || "nothing"}`, () => {
        expect(sorted(allowedActions(actorOf(role), { orgId: orgFor[relation], status }))).toEqual(expected);
      });
    }
  }

  it("lets a contractor's users rotate and narrow (its admin also suspend and revoke) their own org's credentials, and nothing of their sponsor's", () => {
    for (const role of ["partner_admin", "partner_member"] as const) {
      const actor = actorOf(role, "contractor");
      expect(sorted(allowedActions(actor, { orgId: C, status: "active" }))).toEqual(role === "partner_admin" ? ["narrow", "revoke", "rotate", "suspend"] : ["narrow", "rotate"]);
      expect(sorted(allowedActions(actor, { orgId: P, status: "active" }))).toEqual([]);
    }
  });

  it("never allows a partner user without an organisation anything", () => {
    expect(sorted(allowedActions({ role: "partner_admin", orgId: null, orgKind: null }, { orgId: P, status: "active" }))).toEqual([]);
  });

  it("stays within the can() rule table: every action needs update:credential, widening needs widen:credential:any", () => {
    for (const role of ROLES) {
      const actions = allowedActions(actorOf(role), { orgId: P, status: "active" });
      if (actions.size) expect(can({ role }, "update:credential"), role).toBe(true);
      expect(actions.has("widen"), role).toBe(can({ role }, "widen:credential:any"));
    }
  });
});

describe("refusal: 403 for the wrong person, 400 for the wrong state", () => {
  it("tells a partner admin acting on its contractor's credential that it is forbidden", () => {
    expect(refusal(actorOf("partner_admin"), { orgId: C, status: "active" }, "rotate")).toMatchObject({ kind: "forbidden" });
  });
  it("tells a vendor manager that a revoked credential cannot be reactivated", () => {
    expect(refusal(actorOf("vendor_manager"), { orgId: P, status: "revoked" }, "reactivate")).toEqual({ kind: "state", message: "This credential is revoked: it cannot be reactivated." });
  });
  it("checks the role before the state (a partner widening a revoked credential is still 403)", () => {
    expect(refusal(actorOf("partner_member"), { orgId: P, status: "revoked" }, "widen")).toMatchObject({ kind: "forbidden" });
  });
  it("allows what allowedActions allows", () => {
    for (const a of LIFECYCLE_ACTIONS) expect(refusal(actorOf("vendor_manager"), { orgId: O, status: "active" }, a) === null).toBe(a !== "reactivate");
  });
});

describe("lifecycle forms", () => {
  it("requires a reason and a ticked confirmation to revoke", () => {
    const r = LifecycleFormSchema.safeParse({ intent: "revoke", reason: " ", confirm: "" });
    expect(r.success).toBe(false);
    const fields = r.error!.issues.map((i) => i.path.join("."));
    expect(fields).toEqual(expect.arrayContaining(["reason", "confirm"]));
    expect(LifecycleFormSchema.safeParse({ intent: "revoke", reason: "Leaked key", confirm: "yes" }).success).toBe(true);
  });
  it("validates a rotation's new key id and optional fingerprint", () => {
    expect(LifecycleFormSchema.safeParse({ intent: "rotate", newKeyId: "kw_live_new_123", fingerprint: "" }).success).toBe(true);
    expect(LifecycleFormSchema.safeParse({ intent: "rotate", newKeyId: "sk-bad key!" }).success).toBe(false);
    expect(LifecycleFormSchema.safeParse({ intent: "rotate", newKeyId: "kw_live_new_123", fingerprint: "abc" }).success).toBe(false);
    expect(LifecycleFormSchema.safeParse({ intent: "explode" }).success).toBe(false);
  });
  it("keeps at least one model and one endpoint in a grant", () => {
    expect(LifecycleFormSchema.safeParse({ intent: "grant", grantModels: [], grantEndpoints: ["*"] }).success).toBe(false);
    expect(LifecycleFormSchema.safeParse({ intent: "grant", grantModels: "opus-4", grantEndpoints: "*" }).data).toEqual({ intent: "grant", grantModels: ["opus-4"], grantEndpoints: ["*"] });
  });
  it("compares grants as sets", () => {
    expect(sameGrant({ models: ["a", "b"], endpoints: ["*"] }, { models: ["b", "a", "a"], endpoints: ["*"] })).toBe(true);
    expect(sameGrant({ models: ["a"], endpoints: ["*"] }, { models: ["a"], endpoints: ["x"] })).toBe(false);
  });
});

describe("buildTimeline", () => {
  const now = new Date("2026-11-24T12:00:00Z");
  const at = (h: number) => new Date(now.getTime() - h * 3_600_000);
  it("merges each rotation into the audit row that recorded it, lists unrecorded rotations, newest first", () => {
    const audit = [
      { id: 3, at: at(1), actorEmail: "sec@x", action: "credential.suspended", details: JSON.stringify({ reason: "Odd traffic" }), ip: "10.0.0.1" },
      { id: 2, at: at(5), actorEmail: "p@x", action: "credential.rotated", details: JSON.stringify({ oldKeyId: "k2", newKeyId: "k3" }), ip: null },
      { id: 1, at: at(100), actorEmail: "p@x", action: "credential.registered", details: JSON.stringify({ keyId: "k2" }), ip: null },
    ];
    const rotations = [
      { id: "r2", oldKeyId: "k2", newKeyId: "k3", rotatedAt: at(5), graceEndsAt: at(-19), rotatedByEmail: "p@x" },
      { id: "r1", oldKeyId: "k1", newKeyId: "k2", rotatedAt: at(200), graceEndsAt: at(176), rotatedByEmail: null },
    ];
    const t = buildTimeline(audit, rotations, now);
    expect(t.map((e) => e.title)).toEqual(["Suspended", "Rotated", "Registered", "Rotated"]);
    expect(t[0].lines).toEqual(["Reason: Odd traffic"]);
    expect(t[1].rotation).toEqual({ oldKeyId: "k2", newKeyId: "k3", graceEndsAt: at(-19), inGrace: true });
    expect(t[3].rotation).toMatchObject({ oldKeyId: "k1", newKeyId: "k2", inGrace: false });
  });
  it("describes grant changes with before and after, spelling out @ga and *", () => {
    const t = buildTimeline(
      [{ id: 1, at: now, actorEmail: null, action: "credential.grant_narrowed", details: JSON.stringify({ before: { models: ["@ga"], endpoints: ["*"] }, after: { models: ["opus-4"], endpoints: ["messages"] } }), ip: null }],
      [],
      now,
    );
    expect(t[0].lines).toEqual(["Models: every GA model → opus-4", "Endpoints: every endpoint → messages"]);
  });
});
