import { and, count, eq, isNull } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, catalogEndpoints, catalogModels, organizations, policies, users } from "../../db/schema";
import { DEFAULT_POLICIES } from "../../app/domain/policy";
import { verifyAuditChain } from "../../app/models/audit.server";
import { DEMO_LOGINS, DEMO_PASSWORD, demoSeededAt, isDatabaseEmpty, seedDemo } from "../../app/models/demo-seed.server";
import { listOrganizations } from "../../app/models/organization.server";
import { signIn } from "../../app/models/sign-in.server";
import { actorFor } from "../support/factories";

// One database for the whole file: the tests run in order on the world the first one seeds.
describe("demo seed", () => {
  test("seeds the demo world into an empty database", async () => {
    expect(isDatabaseEmpty()).toBe(true);
    const result = await seedDemo({ actor: null, ip: null });
    expect(result).toMatchObject({ seeded: true, organizations: 7, users: 17 });
    expect(isDatabaseEmpty()).toBe(false);
  });

  test("three internal users: a vendor manager, a security analyst and an auditor", () => {
    const internal = getDb().select().from(users).where(isNull(users.orgId)).all();
    expect(internal.map((u) => u.role).sort()).toEqual(["auditor", "security", "vendor_manager"]);
    expect(internal.every((u) => u.status === "active" && u.passwordHash?.startsWith("$argon2id$"))).toBe(true);
  });

  test("four partners, exactly one restricted; three contractors, each sponsored by a partner, one awaiting approval", () => {
    const db = getDb();
    const orgs = db.select().from(organizations).all();
    const partners = orgs.filter((o) => o.kind === "partner");
    const contractors = orgs.filter((o) => o.kind === "contractor");
    expect(partners).toHaveLength(4);
    expect(partners.filter((p) => p.tier === "restricted")).toHaveLength(1);
    expect(partners.every((p) => p.parentId === null)).toBe(true);
    expect(contractors).toHaveLength(3);
    for (const c of contractors) {
      const parent = orgs.find((o) => o.id === c.parentId);
      expect(parent?.kind, c.slug).toBe("partner");
      expect(c.tier, `${c.slug} inherits its sponsor's tier`).toBe(parent?.tier);
    }
    expect(orgs.filter((o) => o.status === "onboarding").map((o) => o.kind)).toEqual(["contractor"]);
    expect(orgs.filter((o) => o.status === "active")).toHaveLength(6);
    const vm = db.select().from(users).where(eq(users.role, "vendor_manager")).get()!;
    expect(orgs.every((o) => o.ownerId === vm.id && o.agreementStart && o.agreementEnd && o.agreementStart < o.agreementEnd)).toBe(true);
  });

  test("every organisation has one partner admin and one partner member", () => {
    const db = getDb();
    for (const org of db.select().from(organizations).all()) {
      const members = db.select({ role: users.role, email: users.email }).from(users).where(eq(users.orgId, org.id)).all();
      expect(members.map((m) => m.role).sort(), org.slug).toEqual(["partner_admin", "partner_member"]);
      expect(members.map((m) => m.email).sort()).toEqual([`admin@${org.slug}.demo`, `member@${org.slug}.demo`]);
    }
  });

  test("the exported demo logins are exactly the seeded accounts", () => {
    const db = getDb();
    const rows = db.select({ email: users.email, role: users.role, org: organizations.slug }).from(users).leftJoin(organizations, eq(users.orgId, organizations.id)).all();
    expect(rows.map((r) => ({ email: r.email, role: r.role, org: r.org })).sort((a, b) => a.email.localeCompare(b.email))).toEqual(
      DEMO_LOGINS.map((l) => ({ email: l.email, role: l.role, org: l.org })).sort((a, b) => a.email.localeCompare(b.email)),
    );
    expect(DEMO_PASSWORD.length).toBeGreaterThanOrEqual(12);
  });

  test("the catalog has GA models, mythos-preview restricted, an unreleased codename, a retired model and the endpoints", () => {
    const db = getDb();
    const models = db.select().from(catalogModels).all();
    const byStatus = (s: string) => models.filter((m) => m.status === s).map((m) => m.name);
    expect(byStatus("ga")).toEqual(expect.arrayContaining(["atlas-2", "atlas-2-mini"]));
    expect(byStatus("restricted")).toEqual(["mythos-preview"]);
    expect(models.find((m) => m.name === "mythos-preview")!.aliases).toContain("mythos");
    expect(byStatus("unreleased")).toEqual(["orion-x"]);
    expect(models.find((m) => m.name === "orion-x")!.aliases).toContain("project-orion");
    expect(byStatus("retired")).toHaveLength(1);
    const names = models.flatMap((m) => [m.name, ...m.aliases]);
    expect(new Set(names).size, "no name or alias is used twice").toBe(names.length);

    const endpoints = db.select().from(catalogEndpoints).all();
    const messages = endpoints.find((e) => e.name === "messages")!;
    expect(messages).toMatchObject({ pathTemplate: "/v1/models/{model}/messages", methods: ["POST"], namesModel: true });
    expect(endpoints.find((e) => e.name === "models-list")).toMatchObject({ pathTemplate: "/v1/models", methods: ["GET"], namesModel: false });
    expect(endpoints.map((e) => e.name).sort()).toEqual(["batches", "completions", "embeddings", "files", "messages", "model-info", "models-list"]);
  });

  test("the default policies of both tiers are stored", () => {
    const rows = getDb().select().from(policies).all();
    expect(rows.map(({ updatedAt: _u, updatedById: _b, ...p }) => p).sort((a, b) => a.tier.localeCompare(b.tier))).toEqual([DEFAULT_POLICIES.restricted, DEFAULT_POLICIES.standard]);
  });

  test("one audit entry records the seed, and the chain verifies", () => {
    const db = getDb();
    const entries = db.select().from(auditLog).all();
    expect(entries.map((e) => e.action)).toEqual(["demo.seeded"]);
    expect(JSON.parse(entries[0].details)).toMatchObject({ organizations: 7, users: 17 });
    expect(entries[0].details).not.toContain(DEMO_PASSWORD);
    expect(demoSeededAt()).toEqual(entries[0].at);
    expect(verifyAuditChain()).toEqual({ ok: true, checked: 1 });
  });

  test("a second seed is refused and changes nothing", async () => {
    const db = getDb();
    const before = { orgs: db.select({ n: count() }).from(organizations).get()!.n, users: db.select({ n: count() }).from(users).get()!.n, audit: db.select({ n: count() }).from(auditLog).get()!.n };
    const result = await seedDemo({ actor: null, ip: null });
    expect(result.seeded).toBe(false);
    expect({ orgs: db.select({ n: count() }).from(organizations).get()!.n, users: db.select({ n: count() }).from(users).get()!.n, audit: db.select({ n: count() }).from(auditLog).get()!.n }).toEqual(before);
  });

  test("demo accounts sign in with the demo password, and tenancy holds on the demo world", async () => {
    expect(await signIn("admin@helix-bio.demo", DEMO_PASSWORD, "203.0.113.7")).toMatchObject({ kind: "ok" });
    expect(await signIn("admin@helix-bio.demo", "not-the-demo-password", "203.0.113.8")).toEqual({ kind: "invalid" });
    const helixAdmin = getDb().select({ id: users.id }).from(users).where(and(eq(users.email, "admin@helix-bio.demo"))).get()!;
    const visible = listOrganizations(actorFor(helixAdmin.id), {}).rows.map((o) => o.slug).sort();
    expect(visible).toEqual(["bluefin-data", "helix-bio"]);
    expect(verifyAuditChain().ok).toBe(true);
  });
});
