import { createHash } from "node:crypto";
import { asc, count, eq } from "drizzle-orm";
import { getDb, type Db } from "../../db/client";
import { auditLog, catalogEndpoints, catalogModels, credentialRotations, credentials, credentialShares, orgEntitlements, organizations, policies, users } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { EndpointSchema, ModelSchema, namesModel, type ModelStatus } from "~/domain/catalog";
import { CredentialRegisterSchema, type Environment, type Storage } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA, describeUncovered, uncovered, type CatalogModelRef } from "~/domain/grant";
import { DAY_MS, type CredentialStatus } from "~/domain/credential-policy";
import { OrganizationCreateSchema, type OrgStatus, type OrgTier } from "~/domain/organization";
import type { CredentialState } from "~/domain/inventory-import";
import { DEFAULT_POLICIES } from "~/domain/policy";
import type { Role } from "~/domain/roles";
import { PasswordSchema } from "~/domain/user";
import { hashPassword } from "~/password.server";
import { writeAudit } from "./audit.server";
import { credentialValues } from "./inventory-import.server";
import { DEMO_AREA_SEEDS } from "./demo-seed-areas.server";
import { mulberry32 } from "~/domain/seeded-random";

// Demo data for `keyward seed-demo` and `npm run demo`: a small but realistic world (internal staff,
// four partners, three contractors, a catalog with a restricted model and an unreleased codename,
// entitlements per organisation and about 60 credentials with a realistic spread of ages, rotation
// states, last use, storage and sharing relative to the seed time).
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
  | { seeded: true; organizations: number; users: number; models: number; endpoints: number; policies: number; credentials: number }
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
  const now = ctx.now ?? new Date();
  const demoCredentials = buildDemoCredentials(now);

  const db = getDb();
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

      for (const [slug, ent] of Object.entries(DEMO_ENTITLEMENTS)) {
        const orgId = orgIds.get(slug)!;
        tx.insert(orgEntitlements)
          .values([
            ...ent.models.map((name) => ({ orgId, kind: "model" as const, name, grantedById: ownerId, grantedAt: now })),
            ...ent.endpoints.map((name) => ({ orgId, kind: "endpoint" as const, name, grantedById: ownerId, grantedAt: now })),
          ])
          .run();
      }
      const userIds = new Map(tx.select({ id: users.id, email: users.email }).from(users).all().map((u) => [u.email, u.id]));
      for (const c of demoCredentials) {
        const id = crypto.randomUUID();
        const orgId = orgIds.get(c.org)!;
        tx.insert(credentials)
          .values({
            ...credentialValues(c, { userIdByEmail: userIds }),
            id,
            keyId: c.keyId,
            orgId,
            statusReason: c.statusReason,
            revokedById: c.status === "revoked" ? internalIds.get("security")! : null,
            createdById: userIds.get(`admin@${c.org}.demo`)!,
            createdAt: c.issuedAt,
            updatedAt: now,
          })
          .run();
        for (const slug of c.sharedWith) tx.insert(credentialShares).values({ credentialId: id, orgId: orgIds.get(slug)! }).run();
        if (c.rotatedFrom && c.lastRotatedAt) {
          tx.insert(credentialRotations)
            .values({ credentialId: id, oldKeyId: c.rotatedFrom, newKeyId: c.keyId, rotatedAt: c.lastRotatedAt, graceEndsAt: new Date(c.lastRotatedAt.getTime() + 24 * 3600_000), rotatedById: userIds.get(`admin@${c.org}.demo`)! })
            .run();
        }
      }

      for (const seedArea of DEMO_AREA_SEEDS) seedArea(tx, { now, orgIds, userIds, internalIds });

      const result = {
        seeded: true as const,
        organizations: orgs.length,
        users: DEMO_LOGINS.length,
        models: models.length,
        endpoints: endpoints.length,
        policies: Object.keys(DEFAULT_POLICIES).length,
        credentials: demoCredentials.length,
      };
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

// ---- Entitlements and credentials (issue 3) ---------------------------------------------------------

/** What each demo organisation may use: partners every GA model (Helix Bio also mythos-preview); contractors within their sponsor's. */
export const DEMO_ENTITLEMENTS: Readonly<Record<string, { models: string[]; endpoints: string[] }>> = {
  northwind: { models: [ALL_GA], endpoints: [ALL_ENDPOINTS] },
  "helix-bio": { models: [ALL_GA, "mythos-preview"], endpoints: [ALL_ENDPOINTS] },
  "contoso-research": { models: [ALL_GA], endpoints: [ALL_ENDPOINTS] },
  "fabrikam-labs": { models: [ALL_GA], endpoints: [ALL_ENDPOINTS] },
  "bluefin-data": { models: ["atlas-2", "atlas-2-mini", "mythos-preview"], endpoints: ["completions", "messages", "model-info", "models-list"] },
  "quarry-labeling": { models: ["atlas-2-mini", "atlas-embed-1"], endpoints: ["embeddings", "messages", "models-list"] },
  "tidewater-consulting": { models: [ALL_GA], endpoints: [ALL_ENDPOINTS] },
};

/** A demo credential: what an inventory import would hold for it, plus the reason for its status and the key it replaced. */
export type DemoCredential = CredentialState & { statusReason: string | null; rotatedFrom: string | null };

/** The demo world's random choices: the same on every machine. */
function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    hex: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(""),
  };
}

// How many credentials each organisation holds (60 in all), its key prefix and the network it calls from
// (documentation address ranges only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24).
const CREDENTIAL_PLAN: readonly { org: string; count: number; prefix: string; net: string; hosts: [number, number] }[] = [
  { org: "northwind", count: 13, prefix: "nw", net: "198.51.100", hosts: [10, 60] },
  { org: "helix-bio", count: 12, prefix: "hx", net: "203.0.113", hosts: [10, 60] },
  { org: "contoso-research", count: 10, prefix: "cr", net: "192.0.2", hosts: [10, 60] },
  { org: "fabrikam-labs", count: 10, prefix: "fl", net: "198.51.100", hosts: [120, 180] },
  { org: "bluefin-data", count: 7, prefix: "bf", net: "203.0.113", hosts: [120, 180] },
  { org: "quarry-labeling", count: 6, prefix: "ql", net: "192.0.2", hosts: [120, 180] },
  { org: "tidewater-consulting", count: 2, prefix: "tw", net: "192.0.2", hosts: [200, 250] },
];

// Hand-placed states, by (organisation, index): the spread a vendor manager expects to find.
const REVOKED: Record<string, string> = { "northwind:12": "Employee left Northwind; key was on their laptop", "contoso-research:9": "Project ended; partner asked for revocation" };
const EXPIRED = new Set(["fabrikam-labs:9"]);
const SUSPENDED: Record<string, string> = {
  "helix-bio:11": "Used from an unexpected network; suspended pending review",
  "quarry-labeling:5": "Stored on a shared drive; suspended until moved to a secrets manager",
  "contoso-research:8": "Partner reported a possible leak in a public repository",
};
const EXPIRING_SOON: Record<string, number> = { "northwind:3": 3, "helix-bio:4": 6, "fabrikam-labs:2": 9, "bluefin-data:1": 12 };
const NEVER_USED = new Set(["tidewater-consulting:0", "tidewater-consulting:1", "northwind:10", "helix-bio:9", "contoso-research:6", "fabrikam-labs:7", "bluefin-data:5", "quarry-labeling:4"]);
const SHARED: Record<string, string> = { "northwind:1": "quarry-labeling", "northwind:5": "quarry-labeling", "helix-bio:0": "bluefin-data", "helix-bio:2": "bluefin-data", "helix-bio:7": "bluefin-data", "contoso-research:2": "tidewater-consulting" };

const LABELS = [
  "Production chat assistant",
  "Nightly batch summaries",
  "Research notebook",
  "Evaluation harness",
  "Support triage bot",
  "Document search indexer",
  "Customer pilot",
  "Partner API integration",
  "Analyst sandbox",
  "Report generator",
  "Data labelling assistant",
  "Internal Q&A bot",
  "Load test",
];
const HELIX_LABELS = ["Protein annotation pipeline", "Literature review agent", "Assay design assistant", "Mythos red-team sandbox"];
const ENV_TAGS: Record<Environment, string> = { production: "live", staging: "stg", development: "dev", ci: "ci", other: "misc" };
const SERVICES = ["chat-backend", "batch-summariser", "eval-harness", "support-bot", "search-indexer", "ci-runner", "notebook-gateway", "report-worker"];
const USER_AGENTS = ["python-requests/2.32.3", "model-sdk-python/1.4.2", "model-sdk-python/1.3.9", "curl/8.5.0", "node-fetch/3.3.2", "model-sdk-node/0.9.1", "Go-http-client/2.0"];

/** A grant within the organisation's entitlements, chosen to look like real use. */
function demoGrant(org: string, rng: ReturnType<typeof prng>): { models: string[]; endpoints: string[] } {
  switch (org) {
    case "helix-bio":
      return rng.pick([
        { models: ["mythos-preview"], endpoints: ["messages"] },
        { models: ["atlas-2", "mythos-preview"], endpoints: [ALL_ENDPOINTS] },
        { models: [ALL_GA, "mythos-preview"], endpoints: [ALL_ENDPOINTS] },
        { models: ["atlas-2"], endpoints: ["messages", "models-list"] },
      ]);
    case "bluefin-data":
      return rng.pick([
        { models: ["mythos-preview"], endpoints: ["messages"] },
        { models: ["atlas-2", "atlas-2-mini"], endpoints: ["messages", "models-list"] },
        { models: ["atlas-2"], endpoints: ["completions", "messages"] },
      ]);
    case "quarry-labeling":
      return rng.pick([
        { models: ["atlas-2-mini"], endpoints: ["messages"] },
        { models: ["atlas-embed-1"], endpoints: ["embeddings"] },
        { models: ["atlas-2-mini", "atlas-embed-1"], endpoints: ["embeddings", "messages", "models-list"] },
      ]);
    default:
      return rng.pick([
        { models: [ALL_GA], endpoints: [ALL_ENDPOINTS] },
        { models: ["atlas-2"], endpoints: ["messages", "models-list"] },
        { models: ["atlas-2", "atlas-2-mini"], endpoints: [ALL_ENDPOINTS] },
        { models: ["atlas-2-mini"], endpoints: ["messages"] },
        { models: ["atlas-embed-1"], endpoints: ["embeddings"] },
      ]);
  }
}

/**
 * About 60 credentials relative to `now`: issued 1–200 days ago; roughly a fifth overdue for rotation
 * (restricted tier: 30 days, standard: 90) and some due within 14 days; 8 never used and several unused
 * for more than 30 days; some shared with the partner's contractor; mostly in a secrets manager; three
 * suspended, two revoked, one expired, four expiring within 14 days. Deterministic for a given `now`.
 * Every one passes the registration form's schema and lies within its organisation's entitlements.
 */
export function buildDemoCredentials(now: Date): DemoCredential[] {
  const rng = prng(20260424);
  const tiers = new Map(DEMO_ORGS.map((o) => [o.slug, o.tier]));
  const catalog: CatalogModelRef[] = DEMO_MODELS.map((m) => ({ name: m.name, status: m.status }));
  const ago = (days: number, extraMinutes = rng.int(0, 23 * 60)) => new Date(now.getTime() - days * DAY_MS - extraMinutes * 60_000);
  const keyIds = new Set<string>();
  const newKeyId = (prefix: string, env: Environment) => {
    for (;;) {
      const id = `${prefix}_${ENV_TAGS[env]}_${rng.hex(8)}`;
      if (!keyIds.has(id)) {
        keyIds.add(id);
        return id;
      }
    }
  };

  const out: DemoCredential[] = [];
  for (const plan of CREDENTIAL_PLAN) {
    const maxAge = DEFAULT_POLICIES[tiers.get(plan.org)!].maxCredentialAgeDays;
    for (let i = 0; i < plan.count; i++) {
      const tag = `${plan.org}:${i}`;
      const environment: Environment = rng.pick(["production", "production", "production", "staging", "development", "ci"] as const);
      const storage: Storage =
        environment === "ci" ? "ci_secret" : rng.next() < 0.72 ? "secrets_manager" : environment === "development" ? rng.pick(["local_file", "local_file", "other"] as const) : rng.pick(["shared_drive", "local_file", "ci_secret"] as const);

      // Age against policy: since the last rotation, or since issue when never rotated.
      const bucket = rng.next();
      const policyAge =
        bucket < 0.22 ? rng.int(maxAge, Math.min(200, maxAge + (maxAge === 30 ? 45 : 110))) : bucket < 0.34 ? rng.int(maxAge - 13, maxAge - 1) : rng.int(1, maxAge - 15);
      const rotated = policyAge < 200 && rng.next() < (maxAge === 30 ? 0.7 : 0.3);
      const issuedDays = rotated ? Math.min(200, policyAge + rng.int(10, 150)) : policyAge;
      const issuedAt = ago(issuedDays);
      const lastRotatedAt = rotated && issuedDays > policyAge ? ago(policyAge) : null;
      const sinceDays = lastRotatedAt ? policyAge : issuedDays;

      let status: CredentialStatus = "active";
      let statusReason: string | null = null;
      let revokedAt: Date | null = null;
      let revokedReason: string | null = null;
      let expiresAt: Date | null = rng.next() < 0.4 ? new Date(issuedAt.getTime() + 365 * DAY_MS) : null;
      if (REVOKED[tag]) {
        status = "revoked";
        revokedReason = REVOKED[tag];
        revokedAt = ago(Math.max(0, Math.min(sinceDays - 1, rng.int(3, 40))));
      } else if (EXPIRED.has(tag)) {
        status = "expired";
        expiresAt = ago(6, 0);
      } else if (SUSPENDED[tag]) {
        status = "suspended";
        statusReason = SUSPENDED[tag];
      }
      if (EXPIRING_SOON[tag]) expiresAt = new Date(now.getTime() + EXPIRING_SOON[tag] * DAY_MS);
      if (expiresAt && expiresAt.getTime() <= issuedAt.getTime()) expiresAt = new Date(issuedAt.getTime() + 30 * DAY_MS);

      // Last use: never, long ago (unused past the 30-day threshold), or recently; always after issue
      // (and after the last rotation: the old key stopped being used), and before a revocation.
      const end = revokedAt ?? (status === "expired" ? expiresAt! : now);
      const endDays = Math.max(0, (now.getTime() - end.getTime()) / DAY_MS);
      let lastUsedAt: Date | null = null;
      if (!NEVER_USED.has(tag)) {
        const stale = sinceDays > 35 && rng.next() < 0.2;
        const days = stale ? rng.int(31, sinceDays - 2) : Math.min(sinceDays - 0.5, endDays + rng.int(0, 12) + rng.next());
        lastUsedAt = ago(Math.max(days, endDays + 0.01), 0);
      }
      const holderIsUser = rng.next() < 0.5;
      const grant = demoGrant(plan.org, rng);
      const keyId = newKeyId(plan.prefix, environment);
      const labels = plan.org === "helix-bio" || plan.org === "bluefin-data" ? [...HELIX_LABELS, ...LABELS] : LABELS;
      const c: DemoCredential = {
        keyId,
        org: plan.org,
        label: labels[(i + plan.prefix.charCodeAt(0)) % labels.length],
        holderEmail: holderIsUser ? `${rng.next() < 0.5 ? "admin" : "member"}@${plan.org}.demo` : null,
        holderService: holderIsUser ? null : rng.pick(SERVICES),
        grantModels: grant.models,
        grantEndpoints: grant.endpoints,
        environment,
        storage,
        status,
        statusReason,
        issuedAt,
        expiresAt,
        lastRotatedAt,
        rotatedFrom: lastRotatedAt ? newKeyId(plan.prefix, environment) : null,
        lastUsedAt,
        lastUsedIp: lastUsedAt ? `${plan.net}.${rng.int(plan.hosts[0], plan.hosts[1])}` : null,
        lastUsedUserAgent: lastUsedAt ? rng.pick(USER_AGENTS) : null,
        revokedAt,
        revokedReason,
        sharedWith: SHARED[tag] ? [SHARED[tag]] : [],
        fingerprint: rng.next() < 0.4 ? createHash("sha256").update(`demo-secret:${keyId}`).digest("hex") : null,
      };

      // The same rules as the registration form and the entitlements: demo data cannot drift from them.
      CredentialRegisterSchema.parse({
        keyId: c.keyId,
        label: c.label,
        holderUserId: c.holderEmail ?? undefined,
        holderService: c.holderService ?? undefined,
        grantModels: c.grantModels,
        grantEndpoints: c.grantEndpoints,
        environment: c.environment,
        storage: c.storage,
        sharedWith: c.sharedWith,
        issuedAt: c.issuedAt.toISOString().slice(0, 10),
        expiresAt: c.expiresAt && c.expiresAt.toISOString().slice(0, 10) > c.issuedAt.toISOString().slice(0, 10) ? c.expiresAt.toISOString().slice(0, 10) : undefined,
        fingerprint: c.fingerprint ?? undefined,
      });
      const outside = uncovered({ models: c.grantModels, endpoints: c.grantEndpoints }, DEMO_ENTITLEMENTS[c.org], catalog);
      if (outside.models.length || outside.endpoints.length) throw new Error(`demo credential ${c.keyId} is outside ${c.org}'s entitlements: ${describeUncovered(outside)}`);
      for (const s of c.sharedWith) if (DEMO_ORGS.find((o) => o.slug === s)?.parent !== c.org) throw new Error(`demo credential ${c.keyId} is shared with ${s}, not a contractor of ${c.org}`);
      out.push(c);
    }
  }
  return out;
}
