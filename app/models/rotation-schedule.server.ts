import { and, asc, eq, inArray, isNull, or, gt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, organizations, policies, users } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { credentialHygiene, DAY_MS } from "~/domain/credential-policy";
import { DEFAULT_POLICIES } from "~/domain/policy";
import { scopeFor, scopeWhere } from "./scope.server";

// The rotation schedule (/rotations): live credentials whose rotation is overdue or due within a window,
// grouped by organisation. The due date is computed in SQL (so the filter and the order run in the
// database) with the same rule as credentialHygiene: coalesce(last rotated, issued) + the tier's
// maximum age; each row's state and days left are then taken from credentialHygiene itself.

const holder = alias(users, "holder");

/** The tier's maximum age in days; a tier whose policy was never saved uses the defaults, as getPolicy does. */
const maxAgeDays = sql<number>`coalesce(${policies.maxCredentialAgeDays}, case ${organizations.tier} when 'restricted' then ${DEFAULT_POLICIES.restricted.maxCredentialAgeDays} else ${DEFAULT_POLICIES.standard.maxCredentialAgeDays} end)`;
const unusedDays = sql<number>`coalesce(${policies.unusedThresholdDays}, case ${organizations.tier} when 'restricted' then ${DEFAULT_POLICIES.restricted.unusedThresholdDays} else ${DEFAULT_POLICIES.standard.unusedThresholdDays} end)`;
const dueAt = sql<number>`(coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt}) + ${maxAgeDays} * ${DAY_MS})`;

export type ScheduleFilter = { withinDays: number; orgSlug?: string; now?: Date; perOrg?: number };

/**
 * Active and suspended, unexpired credentials in the actor's scope due for rotation by now + withinDays
 * (overdue included), grouped by organisation (most urgent organisation first), each group sorted by
 * due date and capped at `perOrg` rows (the group's total is given).
 */
export function listRotationSchedule(actor: Actor, filter: ScheduleFilter) {
  const db = getDb();
  const now = filter.now ?? new Date();
  const perOrg = filter.perOrg ?? 50;
  const horizon = now.getTime() + filter.withinDays * DAY_MS;
  const conds: (SQL | undefined)[] = [
    scopeWhere(scopeFor(actor), credentials.orgId),
    inArray(credentials.status, ["active", "suspended"]),
    or(isNull(credentials.expiresAt), gt(credentials.expiresAt, now)),
    sql`${dueAt} <= ${horizon}`,
  ];
  if (filter.orgSlug) conds.push(eq(organizations.slug, filter.orgSlug));
  const ranked = db
    .select({
      keyId: credentials.keyId,
      label: credentials.label,
      status: credentials.status,
      issuedAt: credentials.issuedAt,
      lastRotatedAt: credentials.lastRotatedAt,
      lastUsedAt: credentials.lastUsedAt,
      expiresAt: credentials.expiresAt,
      holderName: sql<string | null>`${holder.name}`.as("holder_name"),
      holderService: credentials.holderService,
      orgSlug: organizations.slug,
      orgName: sql<string>`${organizations.name}`.as("org_name"),
      orgTier: organizations.tier,
      maxAgeDays: maxAgeDays.as("max_age_days"),
      unusedDays: unusedDays.as("unused_days"),
      dueAt: dueAt.as("due_at"),
      rank: sql<number>`row_number() over (partition by ${credentials.orgId} order by ${dueAt}, ${credentials.keyId})`.as("rank"),
      inOrg: sql<number>`count(*) over (partition by ${credentials.orgId})`.as("in_org"),
      // overdue as credentialHygiene says (due at or before now), over all the organisation's rows, not only the perOrg listed
      overdueInOrg: sql<number>`sum(case when ${dueAt} <= ${now.getTime()} then 1 else 0 end) over (partition by ${credentials.orgId})`.as("overdue_in_org"),
      orgFirstDue: sql<number>`min(${dueAt}) over (partition by ${credentials.orgId})`.as("org_first_due"),
    })
    .from(credentials)
    .innerJoin(organizations, eq(credentials.orgId, organizations.id))
    .leftJoin(policies, eq(policies.tier, organizations.tier))
    .leftJoin(holder, eq(credentials.holderUserId, holder.id))
    .where(and(...conds))
    .as("ranked");
  const rows = db
    .select()
    .from(ranked)
    .where(sql`${ranked.rank} <= ${perOrg}`)
    .orderBy(asc(ranked.orgFirstDue), asc(ranked.orgName), asc(ranked.dueAt), asc(ranked.keyId))
    .all();

  type Group = { orgSlug: string; orgName: string; orgTier: string; maxAgeDays: number; total: number; overdue: number; rows: ScheduleRow[] };
  const groups: Group[] = [];
  for (const r of rows) {
    const h = credentialHygiene(
      { status: r.status, issuedAt: r.issuedAt, lastRotatedAt: r.lastRotatedAt, lastUsedAt: r.lastUsedAt, expiresAt: r.expiresAt },
      { maxCredentialAgeDays: r.maxAgeDays, unusedThresholdDays: r.unusedDays },
      now,
    );
    let g = groups[groups.length - 1];
    if (!g || g.orgSlug !== r.orgSlug) {
      g = { orgSlug: r.orgSlug, orgName: r.orgName, orgTier: r.orgTier, maxAgeDays: r.maxAgeDays, total: r.inOrg, overdue: r.overdueInOrg, rows: [] };
      groups.push(g);
    }
    g.rows.push({
      keyId: r.keyId,
      label: r.label,
      status: r.status,
      holder: r.holderName ?? r.holderService ?? null,
      ageDays: h.ageDays,
      dueAt: h.rotationDueAt ?? new Date(r.dueAt),
      rotationState: h.rotationState,
      daysUntilRotation: h.daysUntilRotation ?? 0,
      lastRotatedAt: r.lastRotatedAt,
    });
  }
  return groups;
}

export type ScheduleRow = {
  keyId: string;
  label: string;
  status: "active" | "suspended" | "revoked" | "expired";
  holder: string | null;
  ageDays: number;
  dueAt: Date;
  rotationState: "ok" | "due_soon" | "overdue" | "not_applicable";
  daysUntilRotation: number;
  lastRotatedAt: Date | null;
};

/** The organisations the actor may filter the schedule by (their scope), by name. */
export function listScheduleOrgs(actor: Actor) {
  return getDb()
    .select({ slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(scopeWhere(scopeFor(actor), organizations.id))
    .orderBy(asc(organizations.name))
    .all();
}
