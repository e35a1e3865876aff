import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { Actor } from "~/domain/actor";
import { addDays, isoDay } from "~/domain/campaign";
import { pageWindow } from "~/domain/pagination";
import { can } from "~/domain/permissions";

// The contract dashboards read access-review progress through (issue 5 fills it), and the campaign list.

export type CampaignProgress = {
  id: string;
  name: string;
  dueDate: string; // YYYY-MM-DD
  total: number;
  decided: number;
  overdueItems: number;
  revocations: number;
};

/** Per campaign: total, decided (a final decision), revocations, and overdue items (no final decision once past due). */
function progressColumns(today: string) {
  const pastDue = sql`${campaigns.dueOn} < ${today}`;
  return {
    id: campaigns.id,
    name: campaigns.name,
    status: campaigns.status,
    mode: campaigns.mode,
    firstPass: campaigns.firstPass,
    opensOn: campaigns.opensOn,
    dueDate: campaigns.dueOn,
    recurrenceDays: campaigns.recurrenceDays,
    closedAt: campaigns.closedAt,
    total: sql<number>`count(${campaignItems.id})`,
    decided: sql<number>`coalesce(sum(case when ${campaignItems.decision} in ('keep','revoke','narrow') then 1 else 0 end), 0)`,
    overdueItems: sql<number>`coalesce(sum(case when ${campaigns.status} = 'open' and ${pastDue} and (${campaignItems.decision} is null or ${campaignItems.decision} = 'unsure') then 1 else 0 end), 0)`,
    revocations: sql<number>`coalesce(sum(case when ${campaignItems.outcome} like 'revoked%' then 1 else 0 end), 0)`,
  };
}

/** The campaign list: newest first, with progress. A partner admin sees first-pass campaigns holding its own items, counted on those items only. */
export function listCampaigns(actor: Actor, opts: { page?: number; status?: "scheduled" | "open" | "closed" } = {}, now = new Date(), pageSize = 25) {
  const db = getDb();
  const internal = can(actor, "read:campaign:any");
  const orgId = actor.orgId ?? "\u0000none";
  const where = and(
    opts.status ? eq(campaigns.status, opts.status) : undefined,
    internal ? undefined : and(eq(campaigns.firstPass, true), sql`exists (select 1 from ${campaignItems} ci where ci.campaign_id = ${campaigns.id} and ci.org_id = ${orgId})`),
  );
  const total = db.select({ n: sql<number>`count(*)` }).from(campaigns).where(where).get()?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, opts.page, pageSize);
  const rows = db
    .select(progressColumns(isoDay(now)))
    .from(campaigns)
    .leftJoin(campaignItems, internal ? eq(campaignItems.campaignId, campaigns.id) : and(eq(campaignItems.campaignId, campaigns.id), eq(campaignItems.orgId, orgId)))
    .where(where)
    .groupBy(campaigns.id)
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .limit(pageSize)
    .offset(offset)
    .all();
  return { rows, total, page, pageCount };
}

/** Every campaign (or those with `status`) with its progress, newest first: `keyward campaigns`. */
export function listCampaignsForCli(status?: "scheduled" | "open" | "closed", now = new Date()) {
  return getDb()
    .select(progressColumns(isoDay(now)))
    .from(campaigns)
    .leftJoin(campaignItems, eq(campaignItems.campaignId, campaigns.id))
    .where(status ? eq(campaigns.status, status) : undefined)
    .groupBy(campaigns.id)
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
    .all()
    .map(({ id, name, status, mode, opensOn, dueDate, recurrenceDays, total, decided, overdueItems, revocations, closedAt }) => ({ id, name, status, mode, opensOn, dueOn: dueDate, recurrenceDays, total, decided, overdueItems, revocations, closedAt: closedAt?.toISOString() ?? null }));
}

/** Open campaigns with their progress (internal users). */
export function openCampaignProgress(now = new Date()): CampaignProgress[] {
  return getDb()
    .select(progressColumns(isoDay(now)))
    .from(campaigns)
    .leftJoin(campaignItems, eq(campaignItems.campaignId, campaigns.id))
    .where(eq(campaigns.status, "open"))
    .groupBy(campaigns.id)
    .orderBy(campaigns.dueOn)
    .all()
    .map(({ id, name, dueDate, total, decided, overdueItems, revocations }) => ({ id, name, dueDate, total, decided, overdueItems, revocations }));
}

/** Campaigns waiting for this organisation's first pass: items not yet looked at by its admin. */
export function firstPassDueFor(orgId: string): { id: string; name: string; dueDate: string; pending: number }[] {
  return getDb()
    .select({ id: campaigns.id, name: campaigns.name, dueDate: campaigns.dueOn, pending: sql<number>`count(*)` })
    .from(campaignItems)
    .innerJoin(campaigns, eq(campaigns.id, campaignItems.campaignId))
    .where(and(eq(campaignItems.orgId, orgId), eq(campaigns.status, "open"), eq(campaigns.firstPass, true), isNull(campaignItems.firstPassDecision), isNull(campaignItems.decision)))
    .groupBy(campaigns.id)
    .orderBy(campaigns.dueOn)
    .all();
}

/** Open campaigns due within `days` (dashboards' "due soon"). */
export function campaignsDueWithin(days: number, now = new Date()) {
  return getDb().select({ id: campaigns.id, name: campaigns.name, dueOn: campaigns.dueOn }).from(campaigns).where(and(inArray(campaigns.status, ["open"]), sql`${campaigns.dueOn} <= ${addDays(isoDay(now), days)}`)).all();
}
