import { and, asc, count, eq, like, or, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { organizations, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import {
  allowedStatusChanges,
  type OrganizationCreate,
  type OrganizationUpdate,
  type OrgKind,
  type OrgStatus,
  type OrgTier,
  type SponsorContractor,
} from "~/domain/organization";
import { writeAudit } from "./audit.server";
import { scopeFor, scopeWhere } from "./scope.server";

export type OrganizationRow = typeof organizations.$inferSelect;
export type FieldResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const parent = alias(organizations, "parent");
const owner = alias(users, "owner");

const listColumns = {
  id: organizations.id,
  slug: organizations.slug,
  name: organizations.name,
  kind: organizations.kind,
  tier: organizations.tier,
  status: organizations.status,
  parentSlug: parent.slug,
  parentName: parent.name,
  ownerName: owner.name,
  agreementEnd: organizations.agreementEnd,
};

export type OrgListFilter = { q?: string; kind?: OrgKind; tier?: OrgTier; status?: OrgStatus; page?: number };

/** Organisations in the actor's scope, searchable and paginated on the server. */
export function listOrganizations(actor: Actor, filter: OrgListFilter, pageSize = 25) {
  const db = getDb();
  const scope = scopeFor(actor);
  const conds: (SQL | undefined)[] = [scopeWhere(scope, organizations.id)];
  if (filter.q) {
    const q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(like(organizations.name, q), like(organizations.slug, q)));
  }
  if (filter.kind) conds.push(eq(organizations.kind, filter.kind));
  if (filter.tier) conds.push(eq(organizations.tier, filter.tier));
  if (filter.status) conds.push(eq(organizations.status, filter.status));
  const where = and(...conds);
  const page = Math.max(1, filter.page ?? 1);
  const total = db.select({ n: count() }).from(organizations).where(where).get()?.n ?? 0;
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
  return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
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

export function listContractors(partnerId: string) {
  const db = getDb();
  return db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, status: organizations.status, tier: organizations.tier })
    .from(organizations)
    .where(eq(organizations.parentId, partnerId))
    .orderBy(asc(organizations.name))
    .all();
}

/** Partners, for the "sponsor" picker of a new contractor. */
export function listPartnerOptions() {
  const db = getDb();
  return db.select({ slug: organizations.slug, name: organizations.name }).from(organizations).where(eq(organizations.kind, "partner")).orderBy(asc(organizations.name)).all();
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
  const u = db.select({ role: users.role, orgId: users.orgId }).from(users).where(eq(users.id, ownerId)).get();
  return u?.role === "vendor_manager" && u.orgId === null;
}

/** Vendor managers create partners and contractors; a contractor needs an existing partner as sponsor. */
export function createOrganization(ctx: ActionContext & { actor: Actor }, input: OrganizationCreate): FieldResult<{ slug: string }> {
  const db = getDb();
  if (slugTaken(input.slug)) return { ok: false, field: "slug", message: "That slug is taken; choose another." };
  if (!ownerIsVendorManager(input.ownerId)) return { ok: false, field: "ownerId", message: "The owner must be a vendor manager." };
  let parentId: string | null = null;
  if (input.kind === "contractor") {
    const p = db.select({ id: organizations.id, kind: organizations.kind }).from(organizations).where(eq(organizations.slug, input.parentSlug!)).get();
    if (!p || p.kind !== "partner") return { ok: false, field: "parentSlug", message: "The sponsor must be an existing partner." };
    parentId = p.id;
  }
  const id = crypto.randomUUID();
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
  return { ok: true, value: { slug: input.slug } };
}

export function updateOrganization(ctx: ActionContext & { actor: Actor }, org: { id: string; slug: string }, input: OrganizationUpdate): FieldResult<null> {
  const db = getDb();
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
  db.transaction((tx) => {
    tx.update(organizations).set({ status, updatedAt: new Date() }).where(eq(organizations.id, org.id)).run();
    const action = org.status === "onboarding" && status === "active" ? "org.approved" : `org.${status}`;
    writeAudit(tx, ctx, { action, targetType: "org", targetId: org.id, orgId: org.id, details: { slug: org.slug, from: org.status, to: status, reason: reason ?? null } });
  });
  return { ok: true, value: null };
}

/** A partner admin sponsors a contractor under its own partner; it stays onboarding until a vendor manager approves. */
export function sponsorContractor(ctx: ActionContext & { actor: Actor }, input: SponsorContractor): FieldResult<{ slug: string }> {
  const db = getDb();
  const actor = ctx.actor;
  if (actor.role !== "partner_admin" || actor.orgKind !== "partner" || !actor.orgId) return { ok: false, field: "slug", message: "Only a partner's admin can sponsor a contractor." };
  if (slugTaken(input.slug)) return { ok: false, field: "slug", message: "That slug is taken; choose another." };
  const partner = db.select().from(organizations).where(eq(organizations.id, actor.orgId)).get()!;
  const id = crypto.randomUUID();
  db.transaction((tx) => {
    tx.insert(organizations)
      .values({ id, slug: input.slug, name: input.name, kind: "contractor", parentId: partner.id, tier: partner.tier, status: "onboarding", contactEmail: input.contactEmail ?? null, ownerId: partner.ownerId })
      .run();
    writeAudit(tx, ctx, { action: "org.sponsored", targetType: "org", targetId: id, orgId: id, details: { slug: input.slug, parent: partner.slug } });
  });
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
