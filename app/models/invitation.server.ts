import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "../../db/client";
import { invitations, organizations, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { isInternalRole } from "~/domain/roles";
import { assignableRoles, type Invite } from "~/domain/user";
import { writeAudit } from "./audit.server";
import { scopeFor } from "./scope.server";
import { getUser, manageProblem } from "./user.server";

export const INVITATION_HOURS = 72;
export const INVITATION_AUDIENCE = "keyward:invitation";

export type InvitationResult =
  | { ok: true; invitationId: string; userId: string; email: string; name: string; expiresAt: Date; reinvited: boolean }
  | { ok: false; field: "email" | "orgSlug" | "role"; message: string };

/**
 * Creates (or re-invites) a user in status "invited" with a single-use invitation. Partner admins invite
 * only into their own organisation, with partner roles. The caller signs the link (jwt.server).
 * `ctx.actor` null means the CLI (bootstrap), which may invite anyone.
 */
export function createInvitation(ctx: ActionContext, input: Invite): InvitationResult {
  const db = getDb();
  const actor = ctx.actor;
  if (actor && !assignableRoles(actor.role).includes(input.role)) return { ok: false, field: "role", message: "You cannot grant that role." };
  let orgId: string | null = null;
  if (input.orgSlug) {
    const org = db.select({ id: organizations.id, status: organizations.status }).from(organizations).where(eq(organizations.slug, input.orgSlug)).get();
    const scope = actor ? scopeFor(actor) : { all: true as const };
    const visible = org && (scope.all || scope.orgIds.includes(org.id));
    if (!visible) return { ok: false, field: "orgSlug", message: "No such organisation." };
    if (actor?.role === "partner_admin" && org.id !== actor.orgId) return { ok: false, field: "orgSlug", message: "Partner admins invite into their own organisation only." };
    if (org.status === "offboarded") return { ok: false, field: "orgSlug", message: "That organisation is offboarded." };
    orgId = org.id;
  }
  if (isInternalRole(input.role) !== (orgId === null)) return { ok: false, field: "role", message: "Internal roles have no organisation; partner roles need one." };

  const existing = db.select().from(users).where(eq(users.email, input.email)).get();
  if (existing && existing.status !== "invited") return { ok: false, field: "email", message: "This person already has an account." };
  if (existing && existing.orgId !== orgId) return { ok: false, field: "email", message: "This person was already invited to another organisation." };

  const now = ctx.now ?? new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_HOURS * 3600_000);
  return db.transaction((tx) => {
    const userId = existing?.id ?? crypto.randomUUID();
    if (existing) {
      tx.update(users).set({ name: input.name, role: input.role, updatedAt: now }).where(eq(users.id, userId)).run();
      // A new invitation replaces older unused ones.
      tx.update(invitations).set({ usedAt: now }).where(and(eq(invitations.userId, userId), isNull(invitations.usedAt))).run();
    } else {
      tx.insert(users).values({ id: userId, email: input.email, name: input.name, role: input.role, orgId, status: "invited" }).run();
    }
    const invitationId = crypto.randomUUID();
    tx.insert(invitations).values({ id: invitationId, userId, invitedById: actor?.id ?? null, expiresAt, createdAt: now }).run();
    writeAudit(tx, ctx, {
      action: existing ? "user.reinvited" : "user.invited",
      targetType: "user",
      targetId: userId,
      orgId,
      details: { email: input.email, role: input.role, expiresAt: expiresAt.toISOString() },
    });
    return { ok: true as const, invitationId, userId, email: input.email, name: input.name, expiresAt, reinvited: existing != null };
  });
}

/** The invitation a verified token names, if it is still usable. */
export function getUsableInvitation(invitationId: string, userId: string, now = new Date()) {
  const db = getDb();
  const row = db
    .select({ id: invitations.id, userId: invitations.userId, expiresAt: invitations.expiresAt, usedAt: invitations.usedAt, email: users.email, name: users.name, status: users.status })
    .from(invitations)
    .innerJoin(users, eq(invitations.userId, users.id))
    .where(and(eq(invitations.id, invitationId), eq(invitations.userId, userId)))
    .get();
  if (!row || row.usedAt || row.expiresAt <= now || row.status !== "invited") return null;
  return row;
}

/**
 * Sets the password and activates the user; the conditional update makes the link single-use even
 * when two requests race. Returns false when the invitation was already used, replaced or has expired.
 */
export function acceptInvitation(ctx: ActionContext, invitationId: string, userId: string, passwordHash: string): boolean {
  const db = getDb();
  const now = ctx.now ?? new Date();
  return db.transaction((tx) => {
    const user = tx.select({ status: users.status }).from(users).where(eq(users.id, userId)).get();
    if (user?.status !== "invited") return false;
    const used = tx
      .update(invitations)
      .set({ usedAt: now })
      .where(and(eq(invitations.id, invitationId), eq(invitations.userId, userId), isNull(invitations.usedAt), gt(invitations.expiresAt, now)))
      .run();
    if (used.changes !== 1) return false;
    tx.update(users).set({ passwordHash, status: "active", updatedAt: now }).where(eq(users.id, userId)).run();
    const orgId = tx.select({ orgId: users.orgId }).from(users).where(eq(users.id, userId)).get()?.orgId ?? null;
    writeAudit(tx, ctx, { action: "user.invitation_accepted", targetType: "user", targetId: userId, orgId });
    return true;
  });
}

export type ResendResult = InvitationResult | { ok: false; field: "_form"; message: string } | null;

/**
 * A fresh invitation for a user who has not yet accepted one (the old link stops working). Null when
 * the user is not in the actor's scope; a refusal when the actor may not manage them or they are not
 * in status "invited".
 */
export function resendInvitation(ctx: ActionContext & { actor: Actor }, userId: string): ResendResult {
  const target = getUser(ctx.actor, userId);
  if (!target) return null;
  const problem = manageProblem(ctx.actor, target);
  if (problem) return { ok: false, field: "_form", message: problem };
  if (target.status !== "invited") return { ok: false, field: "_form", message: "Only invited users who have not joined yet can be sent a new invitation." };
  return createInvitation(ctx, { email: target.email, name: target.name, role: target.role, orgSlug: target.orgSlug ?? undefined });
}

/** For the CLI: set a password directly (bootstrap of the first administrator, automation). */
export function setPasswordAndActivate(ctx: ActionContext, userId: string, passwordHash: string) {
  const db = getDb();
  db.transaction((tx) => {
    tx.update(users).set({ passwordHash, status: "active", updatedAt: new Date() }).where(eq(users.id, userId)).run();
    tx.update(invitations).set({ usedAt: new Date() }).where(and(eq(invitations.userId, userId), isNull(invitations.usedAt))).run();
    writeAudit(tx, ctx, { action: "user.password_set", targetType: "user", targetId: userId, details: { via: "cli" } });
  });
}

export type { Actor };
