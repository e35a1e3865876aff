import { and, asc, count, eq, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { organizations, users } from "../../db/schema";
import { z } from "zod";
import type { ActionContext, Actor } from "~/domain/actor";
import {
  allowedStatusChanges,
  ORG_KINDS,
  ORG_STATUSES,
  ORG_TIERS,
  type OrganizationCreate,
  type OrganizationUpdate,
  type OrgKind,
  type OrgStatus,
  type OrgTier,
  type SponsorContractor,
} from "~/domain/organization";
import { writeAudit } from "./audit.server";
import { scopeFor, scopeWhere } from "./scope.server";
import { pageWindow } from "~/domain/pagination";

export type OrganizationRow = typeof organizations.$inferSelect;
export type FieldResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const parent = alias(organizations, "parent");
const owner = alias(users, "owner");

/** An organisation's identity and standing, as lists, rankings and evidence packs select it. */
export const ORG_SUMMARY_COLUMNS = {
  id: organizations.id,
  slug: organizations.slug,
  name: organizations.name,
  kind: organizations.kind,
  tier: organizations.tier,
  status: organizations.status,
};

const listColumns = {
  ...ORG_SUMMARY_COLUMNS,
  parentSlug: parent.slug,
  parentName: parent.name,
  ownerName: owner.name,
  agreementEnd: organizations.agreementEnd,
};

export type OrgListFilter = { q?: string; kind?: OrgKind; tier?: OrgTier; status?: OrgStatus; page?: number };

/** The /orgs query string. Unknown or malformed values are dropped rather than failing the page. */
export const OrgListQuerySchema = z.object({
  q: z.string().trim().max(120).optional().catch(undefined),
  kind: z.enum(ORG_KINDS).optional().catch(undefined),
  tier: z.enum(ORG_TIERS).optional().catch(undefined),
  status: z.enum(ORG_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Organisations in the actor's scope, searchable (name or slug) and paginated on the server. */
export function listOrganizations(actor: Actor, filter: OrgListFilter, pageSize = 25) {
  const db = getDb();
  const scope = scopeFor(actor);
  const conds: (SQL | undefined)[] = [scopeWhere(scope, organizations.id)];
  if (filter.q) {
    // SQLite's LIKE has no default escape character: name it, so "%" and "_" in a search are literal.
    const q = `%${escapeLike(filter.q)}%`;
    conds.push(or(sql`${organizations.name} like ${q} escape '\\'`, sql`${organizations.slug} like ${q} escape '\\'`));
  }
  if (filter.kind) conds.push(eq(organizations.kind, filter.kind));
  if (filter.tier) conds.push(eq(organizations.tier, filter.tier));
  if (filter.status) conds.push(eq(organizations.status, filter.status));
  const where = and(...conds);
  const total = db.select({ n: count() }).from(organizations).where(where).get()?.n ?? 0;
  const { page, pageCount } = pageWindow(total, filter.page ?? 1, pageSize);
  const rows = db
    .select({ ...listColumns, userCount: db.$count(users, eq(users.orgId, organizations.id)) })
    .from(organizations)
    .leftJoin(parent, eq(organizations.parentId, parent.id))
    .leftJoin(owner, eq(organizations.ownerId, owner.id))
    .where(where)
    .orderBy(asc(organizations.name), asc(organizations.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { rows, total, page, pageCount };
}

/** One organisation by slug within the actor's scope, or null: another tenant's org is not found. */
export function getOrganization(actor: Actor, slug: string) {
  const db = getDb();
  const scope = scopeFor(actor);
  return (
    db
      .select({
        ...listColumns,
        parentId: organizations.parentId,
        ownerId: organizations.ownerId,
        ownerEmail: owner.email,
        agreementStart: organizations.agreementStart,
        contactEmail: organizations.contactEmail,
        createdAt: organizations.createdAt,
      })
      .from(organizations)
      .leftJoin(parent, eq(organizations.parentId, parent.id))
      .leftJoin(owner, eq(organizations.ownerId, owner.id))
      .where(and(eq(organizations.slug, slug), scopeWhere(scope, organizations.id)))
      .get() ?? null
  );
}

/** A partner's contractors, within the actor's scope (a contractor's users see none of its siblings). */
export function listContractors(actor: Actor, partnerId: string) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, status: organizations.status, tier: organizations.tier })
    .from(organizations)
    .where(and(eq(organizations.parentId, partnerId), scopeWhere(scope, organizations.id)))
    .orderBy(asc(organizations.name))
    .all();
}

/** Partners that can sponsor a new contractor (not offboarded), for the vendor manager's picker. */
export function listPartnerOptions() {
  const db = getDb();
  return db
    .select({ slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(and(eq(organizations.kind, "partner"), ne(organizations.status, "offboarded")))
    .orderBy(asc(organizations.name))
    .all();
}

/** Organisations the actor may invite into (for the invite form). */
export function listInvitableOrgs(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  const own = actor.role === "partner_admin" && actor.orgId ? eq(organizations.id, actor.orgId) : undefined;
  return db
    .select({ slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(and(scopeWhere(scope, organizations.id), own))
    .orderBy(asc(organizations.name))
    .all();
}

function slugTaken(slug: string) {
  const db = getDb();
  return db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, slug)).get() != null;
}

function ownerIsVendorManager(ownerId: string | undefined) {
  const db = getDb();
  if (!ownerId) return true;
  const u = db.select({ role: users.role, orgId: users.orgId, status: users.status }).from(users).where(eq(users.id, ownerId)).get();
  return u?.role === "vendor_manager" && u.orgId === null && u.status === "active";
}

/** An empty select ("" for "none" / "keep") means absent, never an id: "" would break the foreign keys. */
function withoutBlankIds<T extends { ownerId?: string; parentSlug?: string }>(input: T): T {
  return { ...input, ownerId: input.ownerId || undefined, parentSlug: input.parentSlug || undefined };
}

/** The unique index is the last word on slugs: a concurrent insert that won the race becomes a field error. */
function isSlugConflict(err: unknown) {
  return err instanceof Error && /UNIQUE constraint failed: organizations\.slug/.test(err.message);
}
const SLUG_TAKEN = { ok: false, field: "slug", message: "That slug is taken; choose another." } as const;

/** Vendor managers create partners and contractors; a contractor needs an existing partner as sponsor. */
export function createOrganization(ctx: ActionContext & { actor: Actor }, raw: OrganizationCreate): FieldResult<{ slug: string }> {
  const db = getDb();
  const input = withoutBlankIds(raw);
  if (slugTaken(input.slug)) return SLUG_TAKEN;
  if (!ownerIsVendorManager(input.ownerId)) return { ok: false, field: "ownerId", message: "The owner must be a vendor manager." };
  let parentId: string | null = null;
  if (input.kind === "contractor") {
    const p = db.select({ id: organizations.id, kind: organizations.kind, status: organizations.status }).from(organizations).where(eq(organizations.slug, input.parentSlug ?? "")).get();
    if (!p || p.kind !== "partner" || p.status === "offboarded") return { ok: false, field: "parentSlug", message: "The sponsor must be an existing partner." };
    parentId = p.id;
  }
  const id = crypto.randomUUID();
  try {
    db.transaction((tx) => {
      tx.insert(organizations)
        .values({
          id,
          slug: input.slug,
          name: input.name,
          kind: input.kind,
          parentId,
          tier: input.tier,
          status: "onboarding",
          agreementStart: input.agreementStart ?? null,
          agreementEnd: input.agreementEnd ?? null,
          contactEmail: input.contactEmail ?? null,
          ownerId: input.ownerId ?? ctx.actor.id,
        })
        .run();
      writeAudit(tx, ctx, { action: "org.created", targetType: "org", targetId: id, orgId: id, details: { slug: input.slug, kind: input.kind, tier: input.tier, parent: input.parentSlug ?? null } });
    });
  } catch (err) {
    if (isSlugConflict(err)) return SLUG_TAKEN;
    throw err;
  }
  return { ok: true, value: { slug: input.slug } };
}

export function updateOrganization(ctx: ActionContext & { actor: Actor }, org: { id: string; slug: string }, raw: OrganizationUpdate): FieldResult<null> {
  const db = getDb();
  const input = withoutBlankIds(raw);
  if (!ownerIsVendorManager(input.ownerId)) return { ok: false, field: "ownerId", message: "The owner must be a vendor manager." };
  const before = db.select().from(organizations).where(eq(organizations.id, org.id)).get()!;
  const next = {
    name: input.name,
    tier: input.tier,
    agreementStart: input.agreementStart ?? null,
    agreementEnd: input.agreementEnd ?? null,
    contactEmail: input.contactEmail ?? null,
    ownerId: input.ownerId ?? before.ownerId,
  };
  const changes = Object.fromEntries(
    Object.entries(next)
      .filter(([k, v]) => before[k as keyof typeof before] !== v)
      .map(([k, v]) => [k, { from: before[k as keyof typeof before] ?? null, to: v }]),
  );
  if (Object.keys(changes).length === 0) return { ok: true, value: null };
  db.transaction((tx) => {
    tx.update(organizations).set({ ...next, updatedAt: new Date() }).where(eq(organizations.id, org.id)).run();
    writeAudit(tx, ctx, { action: "org.updated", targetType: "org", targetId: org.id, orgId: org.id, details: { slug: org.slug, changes } });
  });
  return { ok: true, value: null };
}

/** Approve (onboarding → active), suspend, reactivate or offboard, along the allowed transitions. */
export function setOrganizationStatus(
  ctx: ActionContext & { actor: Actor },
  org: { id: string; slug: string; status: OrgStatus },
  status: OrgStatus,
  reason?: string,
): FieldResult<null> {
  const db = getDb();
  if (!allowedStatusChanges(org.status).includes(status)) return { ok: false, field: "status", message: `An organisation cannot go from ${org.status} to ${status}.` };
  const changed = db.transaction((tx) => {
    // Conditional on the status the caller saw: two managers acting at once cannot skip a transition.
    const res = tx
      .update(organizations)
      .set({ status, updatedAt: new Date() })
      .where(and(eq(organizations.id, org.id), eq(organizations.status, org.status)))
      .run();
    if (res.changes !== 1) return false;
    const action = org.status === "onboarding" && status === "active" ? "org.approved" : `org.${status}`;
    writeAudit(tx, ctx, { action, targetType: "org", targetId: org.id, orgId: org.id, details: { slug: org.slug, from: org.status, to: status, reason: reason || null } });
    return true;
  });
  if (!changed) return { ok: false, field: "status", message: "The organisation's status changed meanwhile; reload and try again." };
  return { ok: true, value: null };
}

/** A partner admin sponsors a contractor under its own partner; it stays onboarding until a vendor manager approves. */
export function sponsorContractor(ctx: ActionContext & { actor: Actor }, input: SponsorContractor): FieldResult<{ slug: string }> {
  const db = getDb();
  const actor = ctx.actor;
  if (actor.role !== "partner_admin" || actor.orgKind !== "partner" || !actor.orgId) return { ok: false, field: "slug", message: "Only a partner's admin can sponsor a contractor." };
  if (slugTaken(input.slug)) return SLUG_TAKEN;
  const partner = db.select().from(organizations).where(eq(organizations.id, actor.orgId)).get();
  if (!partner || partner.kind !== "partner" || partner.status === "offboarded") return { ok: false, field: "slug", message: "Only a partner's admin can sponsor a contractor." };
  const id = crypto.randomUUID();
  try {
    db.transaction((tx) => {
      tx.insert(organizations)
        .values({ id, slug: input.slug, name: input.name, kind: "contractor", parentId: partner.id, tier: partner.tier, status: "onboarding", contactEmail: input.contactEmail ?? null, ownerId: partner.ownerId })
        .run();
      writeAudit(tx, ctx, { action: "org.sponsored", targetType: "org", targetId: id, orgId: id, details: { slug: input.slug, parent: partner.slug, tier: partner.tier } });
    });
  } catch (err) {
    if (isSlugConflict(err)) return SLUG_TAKEN;
    throw err;
  }
  return { ok: true, value: { slug: input.slug } };
}

export function countOrganizationsByStatus(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db.select({ status: organizations.status, kind: organizations.kind, n: count() }).from(organizations).where(scopeWhere(scope, organizations.id)).groupBy(organizations.status, organizations.kind).all();
}

export function listAwaitingApproval(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db
    .select({ slug: organizations.slug, name: organizations.name, kind: organizations.kind, parentName: parent.name, createdAt: organizations.createdAt })
    .from(organizations)
    .leftJoin(parent, eq(organizations.parentId, parent.id))
    .where(and(eq(organizations.status, "onboarding"), scopeWhere(scope, organizations.id)))
    .orderBy(asc(organizations.createdAt))
    .limit(20)
    .all();
}
