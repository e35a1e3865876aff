import { and, asc, count, eq, isNull, like, or, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { organizations, sessions, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import type { Role } from "~/domain/roles";
import { assignableRoles } from "~/domain/user";
import { scopeFor, scopeWhere } from "./scope.server";
import { writeAudit } from "./audit.server";

export type UserRow = typeof users.$inferSelect;

/** The active user with their organisation, as guards and models need them; null if absent or not active. */
export function getActor(userId: string): Actor | null {
  const db = getDb();
  const row = db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      status: users.status,
      orgId: users.orgId,
      orgKind: organizations.kind,
      orgSlug: organizations.slug,
      orgName: organizations.name,
      orgStatus: organizations.status,
    })
    .from(users)
    .leftJoin(organizations, eq(users.orgId, organizations.id))
    .where(eq(users.id, userId))
    .get();
  if (!row || row.status !== "active") return null;
  // Users of a suspended or offboarded organisation cannot sign in.
  if (row.orgId && (row.orgStatus === "suspended" || row.orgStatus === "offboarded")) return null;
  const { status: _s, orgStatus: _o, ...actor } = row;
  return actor;
}

/** For sign-in only: the account by email, whatever its status. */
export function getUserByEmail(email: string): UserRow | null {
  const db = getDb();
  return db.select().from(users).where(eq(users.email, email.toLowerCase())).get() ?? null;
}

export function recordLogin(ctx: ActionContext, userId: string) {
  const db = getDb();
  db.transaction((tx) => {
    tx.update(users).set({ lastLoginAt: ctx.now ?? new Date() }).where(eq(users.id, userId)).run();
    writeAudit(tx, ctx, { action: "auth.login", targetType: "user", targetId: userId, orgId: ctx.actor?.orgId ?? null });
  });
}

export type UserListFilter = { q?: string; role?: Role; status?: "invited" | "active" | "deactivated"; orgSlug?: string; page?: number };

const userListColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  status: users.status,
  lastLoginAt: users.lastLoginAt,
  orgId: users.orgId,
  orgSlug: organizations.slug,
  orgName: organizations.name,
};

/** Users the actor may see, paginated; partner users see their own org (and a partner its contractors). */
export function listUsers(actor: Actor, filter: UserListFilter, pageSize = 25) {
  const db = getDb();
  const scope = scopeFor(actor);
  const conds: (SQL | undefined)[] = [scopeWhere(scope, users.orgId)];
  if (filter.q) {
    const q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(like(users.email, q), like(users.name, q)));
  }
  if (filter.role) conds.push(eq(users.role, filter.role));
  if (filter.status) conds.push(eq(users.status, filter.status));
  if (filter.orgSlug) conds.push(eq(organizations.slug, filter.orgSlug));
  const where = and(...conds);
  const page = Math.max(1, filter.page ?? 1);
  const total = db.select({ n: count() }).from(users).leftJoin(organizations, eq(users.orgId, organizations.id)).where(where).get()?.n ?? 0;
  const rows = db
    .select(userListColumns)
    .from(users)
    .leftJoin(organizations, eq(users.orgId, organizations.id))
    .where(where)
    .orderBy(asc(users.name), asc(users.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { rows, total, page, pageCount: Math.max(1, Math.ceil(total / pageSize)) };
}

/** One user within the actor's scope, or null (another tenant's user is simply not found). */
export function getUser(actor: Actor, userId: string) {
  const db = getDb();
  const scope = scopeFor(actor);
  return (
    db
      .select(userListColumns)
      .from(users)
      .leftJoin(organizations, eq(users.orgId, organizations.id))
      .where(and(eq(users.id, userId), scopeWhere(scope, users.orgId)))
      .get() ?? null
  );
}

/** Users of one organisation (the caller has already checked the org is in scope). */
export function listOrgUsers(orgId: string) {
  const db = getDb();
  return db.select(userListColumns).from(users).leftJoin(organizations, eq(users.orgId, organizations.id)).where(eq(users.orgId, orgId)).orderBy(asc(users.name)).all();
}

export function listInternalUsers(role?: Role) {
  const db = getDb();
  return db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.status, "active"), role ? eq(users.role, role) : undefined, isNull(users.orgId)))
    .orderBy(asc(users.name))
    .all();
}



export class UserRuleError extends Error {}

/**
 * May `actor` manage `target`? Vendor managers manage everyone but themselves; partner admins manage
 * users of their own organisation only. The target must already be in scope (getUser).
 */
function assertManageable(actor: Actor, target: { id: string; orgId: string | null }) {
  if (target.id === actor.id) throw new UserRuleError("You cannot change your own account here.");
  if (actor.role === "partner_admin" && target.orgId !== actor.orgId) throw new UserRuleError("Partner admins manage users of their own organisation only.");
}

export function changeUserRole(ctx: ActionContext & { actor: Actor }, target: { id: string; orgId: string | null; role: Role }, role: Role) {
  const db = getDb();
  assertManageable(ctx.actor, target);
  if (!assignableRoles(ctx.actor.role).includes(role)) throw new UserRuleError("You cannot grant that role.");
  const internalTarget = target.orgId === null;
  const internalRole = role === "vendor_manager" || role === "security" || role === "auditor";
  if (internalTarget !== internalRole) throw new UserRuleError(internalTarget ? "Internal users keep an internal role." : "Partner users keep a partner role.");
  if (role === target.role) return;
  db.transaction((tx) => {
    tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, target.id)).run();
    // A change of privilege ends the user's sessions: the next sign-in gets a fresh one with the new role.
    tx.delete(sessions).where(eq(sessions.userId, target.id)).run();
    writeAudit(tx, ctx, { action: "user.role_changed", targetType: "user", targetId: target.id, orgId: target.orgId, details: { from: target.role, to: role } });
  });
}

export function setUserActive(ctx: ActionContext & { actor: Actor }, target: { id: string; orgId: string | null; status: string }, active: boolean) {
  const db = getDb();
  assertManageable(ctx.actor, target);
  if (active && target.status !== "deactivated") return;
  if (!active && target.status === "deactivated") return;
  db.transaction((tx) => {
    // Reactivated users go back to "invited" when they never set a password.
    const hasPassword = tx.select({ h: users.passwordHash }).from(users).where(eq(users.id, target.id)).get()?.h != null;
    const status = active ? (hasPassword ? "active" : "invited") : "deactivated";
    tx.update(users).set({ status, updatedAt: new Date() }).where(eq(users.id, target.id)).run();
    if (!active) tx.delete(sessions).where(eq(sessions.userId, target.id)).run();
    writeAudit(tx, ctx, { action: active ? "user.reactivated" : "user.deactivated", targetType: "user", targetId: target.id, orgId: target.orgId });
  });
}

export function countUsersByStatus(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db.select({ status: users.status, n: count() }).from(users).where(scopeWhere(scope, users.orgId)).groupBy(users.status).all();
}
