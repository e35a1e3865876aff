import { asc, count, eq } from "drizzle-orm";
import { getDb, type Db } from "../../db/client";
import { auditLog, catalogEndpoints, catalogModels, organizations, policies, users } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { EndpointSchema, ModelSchema, namesModel, type ModelStatus } from "~/domain/catalog";
import { OrganizationCreateSchema, type OrgStatus, type OrgTier } from "~/domain/organization";
import { DEFAULT_POLICIES } from "~/domain/policy";
import type { Role } from "~/domain/roles";
import { PasswordSchema } from "~/domain/user";
import { hashPassword } from "~/password.server";
import { writeAudit } from "./audit.server";

// Demo data for `keyward seed-demo` and `npm run demo`: a small but realistic world (internal staff,
// four partners, three contractors, a catalog with a restricted model and an unreleased codename).
// Everything is written in ONE transaction with one audit entry, so a seed either happens whole or not.

/** The one password every demo account shares (documented in the README; never use it elsewhere). */
export const DEMO_PASSWORD = "keyward-demo-2026";

type DemoOrg = {
  slug: string;
  name: string;
  kind: "partner" | "contractor";
  parent?: string;
  tier: OrgTier;
  status: OrgStatus;
  agreementStart: string;
  agreementEnd: string;
  admin: string; // names of the partner_admin and partner_member
  member: string;
};

const DEMO_ORGS: readonly DemoOrg[] = [
  { slug: "northwind", name: "Northwind Analytics", kind: "partner", tier: "standard", status: "active", agreementStart: "2025-03-01", agreementEnd: "2027-02-28", admin: "Priya Raman", member: "Tom Becker" },
  { slug: "helix-bio", name: "Helix Bio", kind: "partner", tier: "restricted", status: "active", agreementStart: "2026-01-15", agreementEnd: "2027-01-14", admin: "Marcus Chen", member: "Lena Hoffmann" },
  { slug: "contoso-research", name: "Contoso Research", kind: "partner", tier: "standard", status: "active", agreementStart: "2025-06-01", agreementEnd: "2027-05-31", admin: "Grace Adeyemi", member: "Jonas Eriksson" },
  { slug: "fabrikam-labs", name: "Fabrikam Labs", kind: "partner", tier: "standard", status: "active", agreementStart: "2025-09-01", agreementEnd: "2026-12-31", admin: "Sofia Alvarez", member: "Daniel Kim" },
  // Contractors inherit their sponsor's tier (as when a partner admin sponsors one).
  { slug: "bluefin-data", name: "Bluefin Data Services", kind: "contractor", parent: "helix-bio", tier: "restricted", status: "active", agreementStart: "2026-02-01", agreementEnd: "2027-01-14", admin: "Ravi Patel", member: "Emily Novak" },
  { slug: "quarry-labeling", name: "Quarry Labeling Co.", kind: "contractor", parent: "northwind", tier: "standard", status: "active", agreementStart: "2025-05-01", agreementEnd: "2027-02-28", admin: "Hannah Okoro", member: "Luis Fernandes" },
  { slug: "tidewater-consulting", name: "Tidewater Consulting", kind: "contractor", parent: "contoso-research", tier: "standard", status: "onboarding", agreementStart: "2026-12-01", agreementEnd: "2027-05-31", admin: "Aisha Rahman", member: "Peter Walsh" },
];

const DEMO_INTERNAL: readonly { email: string; name: string; role: Role }[] = [
  { email: "vm@keyward.demo", name: "Vera Martins", role: "vendor_manager" },
  { email: "security@keyward.demo", name: "Sam Okafor", role: "security" },
  { email: "auditor@keyward.demo", name: "Ada Lindqvist", role: "auditor" },
];

const DEMO_MODELS: readonly { name: string; status: ModelStatus; aliases: string[]; description: string }[] = [
  { name: "atlas-2", status: "ga", aliases: ["atlas-2-latest"], description: "Flagship general-purpose model." },
  { name: "atlas-2-mini", status: "ga", aliases: ["atlas-mini"], description: "Small, fast general-purpose model." },
  { name: "atlas-embed-1", status: "ga", aliases: [], description: "Text embeddings." },
  { name: "mythos-preview", status: "restricted", aliases: ["mythos"], description: "Frontier model lent to vetted partners only." },
  { name: "orion-x", status: "unreleased", aliases: ["project-orion"], description: "Unreleased codename: any request naming it is a critical flag." },
  { name: "atlas-1", status: "retired", aliases: ["atlas-1-legacy"], description: "Retired in 2026; requests should have stopped." },
];

const DEMO_ENDPOINTS: readonly { name: string; methods: ("GET" | "POST")[]; pathTemplate: string }[] = [
  { name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" },
  { name: "completions", methods: ["POST"], pathTemplate: "/v1/models/{model}/completions" },
  { name: "embeddings", methods: ["POST"], pathTemplate: "/v1/models/{model}/embeddings" },
  { name: "models-list", methods: ["GET"], pathTemplate: "/v1/models" },
  { name: "model-info", methods: ["GET"], pathTemplate: "/v1/models/{model}" },
  { name: "batches", methods: ["POST"], pathTemplate: "/v1/batches" },
  { name: "files", methods: ["POST"], pathTemplate: "/v1/files" },
];

export type DemoLogin = { email: string; name: string; role: Role; org: string | null; orgName: string | null };

/** Every demo account (all share DEMO_PASSWORD), internal staff first, then two per organisation. */
export const DEMO_LOGINS: readonly DemoLogin[] = [
  ...DEMO_INTERNAL.map((u) => ({ ...u, org: null, orgName: null })),
  ...DEMO_ORGS.flatMap((o) => [
    { email: `admin@${o.slug}.demo`, name: o.admin, role: "partner_admin" as const, org: o.slug, orgName: o.name },
    { email: `member@${o.slug}.demo`, name: o.member, role: "partner_member" as const, org: o.slug, orgName: o.name },
  ]),
];

export type DemoSeedResult =
  | { seeded: true; organizations: number; users: number; models: number; endpoints: number; policies: number }
  | { seeded: false; reason: string };

/** Demo data goes only into a database with no organisations and no users. */
export function isDatabaseEmpty(): boolean {
  return isEmpty(getDb());
}

const NOT_EMPTY = "it already has organisations or users";

function isEmpty(db: Pick<Db, "select">): boolean {
  const orgs = db.select({ n: count() }).from(organizations).get()?.n ?? 0;
  const people = db.select({ n: count() }).from(users).get()?.n ?? 0;
  return orgs === 0 && people === 0;
}

export const DEMO_SEEDED_ACTION = "demo.seeded";

/** When the demo data was seeded into this database, or null if it never was. */
export function demoSeededAt(): Date | null {
  const db = getDb();
  return db.select({ at: auditLog.at }).from(auditLog).where(eq(auditLog.action, DEMO_SEEDED_ACTION)).orderBy(asc(auditLog.id)).limit(1).get()?.at ?? null;
}

/**
 * Seeds the demo world into an empty database. Refuses (seeded: false) when any organisation or user
 * exists: demo accounts share a published password and must never land next to real ones.
 */
export async function seedDemo(ctx: ActionContext): Promise<DemoSeedResult> {
  if (!isDatabaseEmpty()) return { seeded: false, reason: NOT_EMPTY };
  // Argon2id is deliberately slow: hash once, outside the (synchronous) transaction, and share the hash.
  const passwordHash = await hashPassword(PasswordSchema.parse(DEMO_PASSWORD));

  // The demo data goes through the same schemas as the forms, so it cannot drift from the rules.
  const orgs = DEMO_ORGS.map((o) => ({
    ...o,
    ...OrganizationCreateSchema.parse({ slug: o.slug, name: o.name, kind: o.kind, parentSlug: o.parent, tier: o.tier, agreementStart: o.agreementStart, agreementEnd: o.agreementEnd, contactEmail: `admin@${o.slug}.demo` }),
  }));
  const models = DEMO_MODELS.map((m) => ModelSchema.parse({ ...m, aliases: m.aliases.join(", ") }));
  const endpoints = DEMO_ENDPOINTS.map((e) => EndpointSchema.parse(e));

  const db = getDb();
  const now = ctx.now ?? new Date();
  // "immediate" takes the write lock before the emptiness check, so two seeders cannot both see an empty database.
  return db.transaction(
    (tx): DemoSeedResult => {
      if (!isEmpty(tx)) return { seeded: false, reason: NOT_EMPTY }; // checked again under the write lock

      const internalIds = new Map<Role, string>();
      for (const u of DEMO_INTERNAL) {
        const id = crypto.randomUUID();
        internalIds.set(u.role, id);
        tx.insert(users).values({ id, email: u.email, name: u.name, role: u.role, orgId: null, status: "active", passwordHash, createdAt: now, updatedAt: now }).run();
      }
      const ownerId = internalIds.get("vendor_manager")!;

      const orgIds = new Map<string, string>();
      for (const o of orgs) {
        const id = crypto.randomUUID();
        orgIds.set(o.slug, id);
        const parentId = o.parentSlug ? orgIds.get(o.parentSlug)! : null; // partners come first in DEMO_ORGS
        tx.insert(organizations)
          .values({ id, slug: o.slug, name: o.name, kind: o.kind, parentId, tier: o.tier, status: o.status, agreementStart: o.agreementStart ?? null, agreementEnd: o.agreementEnd ?? null, ownerId, contactEmail: o.contactEmail ?? null, createdAt: now, updatedAt: now })
          .run();
      }
      for (const login of DEMO_LOGINS.filter((l) => l.org)) {
        tx.insert(users)
          .values({ id: crypto.randomUUID(), email: login.email, name: login.name, role: login.role, orgId: orgIds.get(login.org!)!, status: "active", passwordHash, createdAt: now, updatedAt: now })
          .run();
      }

      for (const m of models) tx.insert(catalogModels).values({ name: m.name, status: m.status, aliases: m.aliases, description: m.description ?? null, createdAt: now, updatedAt: now }).run();
      for (const e of endpoints) tx.insert(catalogEndpoints).values({ name: e.name, methods: e.methods, pathTemplate: e.pathTemplate, namesModel: namesModel(e.pathTemplate), createdAt: now, updatedAt: now }).run();
      for (const p of Object.values(DEFAULT_POLICIES)) tx.insert(policies).values({ ...p, updatedAt: now }).onConflictDoNothing().run();

      const result = { seeded: true as const, organizations: orgs.length, users: DEMO_LOGINS.length, models: models.length, endpoints: endpoints.length, policies: Object.keys(DEFAULT_POLICIES).length };
      writeAudit(tx, ctx, {
        action: DEMO_SEEDED_ACTION,
        targetType: "system",
        targetId: "demo",
        details: { ...result, organizationSlugs: orgs.map((o) => o.slug), userEmails: DEMO_LOGINS.map((l) => l.email), modelNames: models.map((m) => m.name) },
      });
      return result;
    },
    { behavior: "immediate" },
  );
}
