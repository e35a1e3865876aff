import { and, count, eq, isNull } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { getDb } from "../../db/client";
import { auditLog, catalogEndpoints, catalogModels, credentialRotations, credentials, credentialShares, organizations, outbox, policies, users } from "../../db/schema";
import { DEFAULT_POLICIES } from "../../app/domain/policy";
import { isWithin } from "../../app/domain/grant";
import { credentialHygiene, DAY_MS } from "../../app/domain/credential-policy";
import { catalogRefs, getEntitlements } from "../../app/models/entitlement.server";
import { verifyAuditChain } from "../../app/models/audit.server";
import { buildDemoCredentials, DEMO_LOGINS, DEMO_PASSWORD, demoSeededAt, isDatabaseEmpty, seedDemo } from "../../app/models/demo-seed.server";
import { listOrganizations } from "../../app/models/organization.server";
import { signIn } from "../../app/models/sign-in.server";
import { actorFor } from "../support/factories";

// One database for the whole file: the tests run in order on the world the first one seeds.
const SEEDED_AT = new Date("2026-11-24T10:00:00.000Z");

describe("demo seed", () => {
  test("seeds the demo world into an empty database", async () => {
    expect(isDatabaseEmpty()).toBe(true);
    const result = await seedDemo({ actor: null, ip: null, now: SEEDED_AT });
    expect(result).toMatchObject({ seeded: true, organizations: 7, users: 17, credentials: 60 });
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

  test("entitlements: partners every GA model, Helix Bio also mythos-preview, contractors within their sponsor's", () => {
    const db = getDb();
    const catalog = catalogRefs();
    const orgs = db.select().from(organizations).all();
    const bySlug = (slug: string) => getEntitlements(orgs.find((o) => o.slug === slug)!.id);
    for (const p of orgs.filter((o) => o.kind === "partner")) {
      expect(bySlug(p.slug).models, p.slug).toEqual(p.slug === "helix-bio" ? ["@ga", "mythos-preview"] : ["@ga"]);
      expect(bySlug(p.slug).endpoints).toEqual(["*"]);
    }
    for (const c of orgs.filter((o) => o.kind === "contractor")) {
      const own = getEntitlements(c.id);
      expect(own.models.length, c.slug).toBeGreaterThan(0);
      expect(isWithin(own, getEntitlements(c.parentId!), catalog), `${c.slug} within its sponsor's`).toBe(true);
    }
    expect(bySlug("bluefin-data").models).toContain("mythos-preview");
    expect(bySlug("quarry-labeling").models).not.toContain("mythos-preview");
  });

  test("about 60 credentials with a realistic spread of ages, rotation states, use, storage and status", () => {
    const db = getDb();
    const rows = db.select({ c: credentials, tier: organizations.tier, slug: organizations.slug }).from(credentials).innerJoin(organizations, eq(credentials.orgId, organizations.id)).all();
    expect(rows).toHaveLength(60);
    expect(new Set(rows.map((r) => r.slug)).size, "every organisation holds some").toBe(7);
    const h = rows.map((r) => ({ ...r, h: credentialHygiene(r.c, DEFAULT_POLICIES[r.tier], SEEDED_AT) }));
    const n = (pred: (x: (typeof h)[number]) => boolean) => h.filter(pred).length;

    const issueAges = rows.map((r) => (SEEDED_AT.getTime() - r.c.issuedAt.getTime()) / DAY_MS);
    expect(Math.min(...issueAges)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...issueAges)).toBeLessThanOrEqual(201);
    expect(Math.max(...issueAges)).toBeGreaterThan(150);
    expect(n((x) => x.h.rotationState === "overdue")).toBeGreaterThanOrEqual(5);
    expect(n((x) => x.h.rotationState === "overdue")).toBeLessThan(30);
    expect(n((x) => x.h.rotationState === "overdue" && x.tier === "restricted"), "restricted keys overdue at 30 days").toBeGreaterThan(0);
    expect(n((x) => x.h.rotationState === "due_soon")).toBeGreaterThan(0);
    expect(n((x) => x.h.usageState === "never_used")).toBe(8);
    expect(n((x) => x.h.usageState === "unused")).toBeGreaterThan(0);
    expect(n((x) => x.c.status === "revoked")).toBe(2);
    expect(n((x) => x.c.status === "expired")).toBe(1);
    expect(n((x) => x.c.status === "suspended")).toBeGreaterThanOrEqual(2);
    expect(n((x) => x.h.expiryState === "expiring_soon" && x.c.status === "active")).toBeGreaterThanOrEqual(3);
    const storages = rows.map((r) => r.c.storage);
    expect(storages.filter((s) => s === "secrets_manager").length).toBeGreaterThan(30);
    for (const s of ["local_file", "shared_drive", "ci_secret"]) expect(storages, s).toContain(s);
    expect(n((x) => x.c.holderUserId != null)).toBeGreaterThan(0);
    expect(n((x) => x.c.holderService != null)).toBeGreaterThan(0);
    expect(db.select({ n: count() }).from(credentialRotations).get()!.n).toBe(n((x) => x.c.lastRotatedAt != null));

    for (const { c } of rows) {
      if (c.lastUsedAt) {
        expect(c.lastUsedAt.getTime(), c.keyId).toBeGreaterThanOrEqual(c.issuedAt.getTime());
        expect(c.lastUsedAt.getTime()).toBeLessThanOrEqual(SEEDED_AT.getTime());
        expect(c.lastUsedIp).toMatch(/^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$/);
        expect(c.lastUsedUserAgent).toBeTruthy();
      } else expect(c.lastUsedIp).toBeNull();
      if (c.revokedAt && c.lastUsedAt) expect(c.lastUsedAt.getTime()).toBeLessThanOrEqual(c.revokedAt.getTime());
    }
    // No webhooks in the demo: nothing queued.
    expect(db.select({ n: count() }).from(outbox).get()!.n).toBe(0);
  });

  test("every credential is within its organisation's entitlements, and shared only with its own contractors", () => {
    const db = getDb();
    const catalog = catalogRefs();
    const orgs = db.select().from(organizations).all();
    for (const c of db.select().from(credentials).all()) {
      expect(isWithin({ models: c.grantModels, endpoints: c.grantEndpoints }, getEntitlements(c.orgId), catalog), c.keyId).toBe(true);
    }
    const shares = db.select({ credentialOrg: credentials.orgId, sharedWith: credentialShares.orgId }).from(credentialShares).innerJoin(credentials, eq(credentialShares.credentialId, credentials.id)).all();
    expect(shares.length).toBeGreaterThanOrEqual(3);
    for (const s of shares) {
      const target = orgs.find((o) => o.id === s.sharedWith)!;
      expect(target.kind).toBe("contractor");
      expect(target.parentId).toBe(s.credentialOrg);
    }
  });

  test("the credentials are the same on every run for the same seed time (seeded, not random)", () => {
    const strip = (cs: ReturnType<typeof buildDemoCredentials>) => cs.map((c) => ({ ...c }));
    expect(strip(buildDemoCredentials(SEEDED_AT))).toEqual(strip(buildDemoCredentials(SEEDED_AT)));
    const stored = getDb().select({ keyId: credentials.keyId }).from(credentials).all().map((r) => r.keyId).sort();
    expect(buildDemoCredentials(SEEDED_AT).map((c) => c.keyId).sort()).toEqual(stored);
  });

  test("one audit entry records the seed, and the chain verifies", () => {
    const db = getDb();
    const entries = db.select().from(auditLog).all();
    expect(entries.map((e) => e.action)).toEqual(["demo.seeded"]);
    expect(JSON.parse(entries[0].details)).toMatchObject({ organizations: 7, users: 17, credentials: 60 });
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
