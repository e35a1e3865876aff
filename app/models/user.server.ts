import { and, asc, count, desc, eq, gt, isNull, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { invitations, organizations, sessions, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { can } from "~/domain/permissions";
import { isInternalRole, type Role } from "~/domain/roles";
import { assignableRoles } from "~/domain/user";
import { scopeFor, scopeWhere } from "./scope.server";
import { writeAudit } from "./audit.server";
import { resetTwoFactorOf, twoFactorStatus } from "./two-factor.server";

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

/** LIKE with an explicit escape character, so a search for "a_b" or "50%" matches literally. */
function likeEscaped(column: SQLiteColumn, pattern: string): SQL {
  return sql`${column} like ${pattern} escape '\\'`;
}

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
    conds.push(or(likeEscaped(users.email, q), likeEscaped(users.name, q)));
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

/** A business rule refused the change; the message is for the user (the route answers 400). */
export class UserRuleError extends Error {}

type ManageTarget = { id: string; orgId: string | null };

/**
 * Why `actor` may not manage `target`, or null when it may. Vendor managers manage everyone but
 * themselves; partner admins manage users of their own organisation only (not its contractors');
 * other roles manage no one. The target must already be in scope (getUser).
 */
export function manageProblem(actor: Actor, target: ManageTarget): string | null {
  if (!can(actor, "update:user")) return "Your role does not manage users.";
  if (target.id === actor.id) return "You cannot change your own account here.";
  if (actor.role === "partner_admin" && (actor.orgId === null || target.orgId !== actor.orgId)) return "Partner admins manage users of their own organisation only.";
  return null;
}

/** The in-scope target of a management action: null when another tenant's (not found); throws on a rule. */
function manageableTarget(actor: Actor, userId: string) {
  const target = getUser(actor, userId);
  if (!target) return null;
  const problem = manageProblem(actor, target);
  if (problem) throw new UserRuleError(problem);
  return target;
}

/** One user with what the detail page shows, within the actor's scope; null for another tenant's user. */
export function getUserDetail(actor: Actor, userId: string, now = new Date()) {
  const db = getDb();
  const user = getUser(actor, userId);
  if (!user) return null;
  const extra = db.select({ createdAt: users.createdAt, updatedAt: users.updatedAt }).from(users).where(eq(users.id, userId)).get();
  const pending = db
    .select({ expiresAt: invitations.expiresAt, createdAt: invitations.createdAt })
    .from(invitations)
    .where(and(eq(invitations.userId, userId), isNull(invitations.usedAt)))
    .orderBy(desc(invitations.createdAt))
    .get();
  return {
    ...user,
    createdAt: extra?.createdAt ?? null,
    updatedAt: extra?.updatedAt ?? null,
    activeSessions: countActiveSessions(userId, now),
    twoFactor: twoFactorStatus(userId).enabled,
    invitation: user.status === "invited" && pending ? { expiresAt: pending.expiresAt, sentAt: pending.createdAt, expired: pending.expiresAt <= now } : null,
  };
}

/** Unexpired sessions of a user (lucia stores expires_at in seconds). */
export function countActiveSessions(userId: string, now = new Date()) {
  const db = getDb();
  return (
    db
      .select({ n: count() })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, Math.floor(now.getTime() / 1000))))
      .get()?.n ?? 0
  );
}

/** Organisations that appear in the actor's scope, for the Users page's organisation filter. */
export function listUserOrgOptions(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db
    .select({ slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(scopeWhere(scope, organizations.id))
    .orderBy(asc(organizations.name))
    .all();
}

/**
 * Changes a user's role. Internal users keep internal roles and partner users partner roles; the role
 * must be one the actor may hand out. Ends the user's sessions. Returns null when the user is not in
 * the actor's scope; throws UserRuleError when a rule refuses.
 */
export function changeUserRole(ctx: ActionContext & { actor: Actor }, userId: string, role: Role) {
  const db = getDb();
  const target = manageableTarget(ctx.actor, userId);
  if (!target) return null;
  if (!assignableRoles(ctx.actor.role).includes(role)) throw new UserRuleError("You cannot grant that role.");
  const internalTarget = target.orgId === null;
  if (internalTarget !== isInternalRole(role)) throw new UserRuleError(internalTarget ? "Internal users keep an internal role." : "Partner users keep a partner role.");
  if (role === target.role) return { changed: false as const };
  db.transaction((tx) => {
    tx.update(users).set({ role, updatedAt: ctx.now ?? new Date() }).where(eq(users.id, target.id)).run();
    // A change of privilege ends the user's sessions: the next sign-in gets a fresh one with the new role.
    tx.delete(sessions).where(eq(sessions.userId, target.id)).run();
    writeAudit(tx, ctx, { action: "user.role_changed", targetType: "user", targetId: target.id, orgId: target.orgId, details: { from: target.role, to: role } });
  });
  return { changed: true as const };
}

/**
 * Deactivates (ending every session at once and voiding outstanding invitations) or reactivates a
 * user; a reactivated user who never set a password is "invited" again and needs a new invitation.
 * Returns null when the user is not in the actor's scope; throws UserRuleError when a rule refuses.
 */
export function setUserActive(ctx: ActionContext & { actor: Actor }, userId: string, active: boolean) {
  const db = getDb();
  const target = manageableTarget(ctx.actor, userId);
  if (!target) return null;
  if (active === (target.status !== "deactivated")) return { changed: false as const };
  const now = ctx.now ?? new Date();
  db.transaction((tx) => {
    const hasPassword = tx.select({ h: users.passwordHash }).from(users).where(eq(users.id, target.id)).get()?.h != null;
    const status = active ? (hasPassword ? "active" : "invited") : "deactivated";
    tx.update(users).set({ status, updatedAt: now }).where(eq(users.id, target.id)).run();
    if (!active) {
      tx.delete(sessions).where(eq(sessions.userId, target.id)).run();
      tx.update(invitations).set({ usedAt: now }).where(and(eq(invitations.userId, target.id), isNull(invitations.usedAt))).run();
    }
    writeAudit(tx, ctx, { action: active ? "user.reactivated" : "user.deactivated", targetType: "user", targetId: target.id, orgId: target.orgId, details: { status } });
  });
  return { changed: true as const };
}

/**
 * Ends every session of a user the actor manages (a lost laptop, a departing contractor): audited with
 * how many ended. Returns null when the user is not in the actor's scope; throws UserRuleError when a rule refuses.
 */
export function endUserSessions(ctx: ActionContext & { actor: Actor }, userId: string) {
  const db = getDb();
  const target = manageableTarget(ctx.actor, userId);
  if (!target) return null;
  return db.transaction((tx) => {
    const ended = tx.delete(sessions).where(eq(sessions.userId, target.id)).run().changes;
    writeAudit(tx, ctx, { action: "user.sessions_ended", targetType: "user", targetId: target.id, orgId: target.orgId, details: { sessions: ended } });
    return { ended };
  });
}

/** Resets a managed user's second factor (see two-factor.server.ts); null when not in scope. */
export function resetUserTwoFactor(ctx: ActionContext & { actor: Actor }, userId: string) {
  const target = manageableTarget(ctx.actor, userId);
  if (!target) return null;
  if (!resetTwoFactorOf(ctx, target)) throw new UserRuleError("This user has no second factor to reset.");
  return { changed: true as const };
}

export function countUsersByStatus(actor: Actor) {
  const db = getDb();
  const scope = scopeFor(actor);
  return db.select({ status: users.status, n: count() }).from(users).where(scopeWhere(scope, users.orgId)).groupBy(users.status).all();
}
