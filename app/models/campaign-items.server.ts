import { and, asc, eq, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, users } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { ActionContext, Actor } from "~/domain/actor";
import { isFinal, type CampaignSnapshot, type DecisionInput, type ItemFilter } from "~/domain/campaign";
import { isWithin } from "~/domain/grant";
import { credentialHygiene } from "~/domain/credential-policy";
import { pageWindow } from "~/domain/pagination";
import { can } from "~/domain/permissions";
import { writeAudit } from "./audit.server";
import { getCampaign } from "./campaign.server";
import { catalogRefs } from "./entitlement.server";
import { changeCredentialGrant, setCredentialStatus } from "./credential-lifecycle.server";
import { enqueueEvent } from "./outbox.server";
import { getPolicy } from "./policy.server";

// A campaign's items: the review list (snapshot beside live values, filters), decisions carried out on
// the spot through the credential lifecycle, bulk decisions, reassignment, and the partner's first pass.

type Ctx = ActionContext & { actor: Actor };
export type ItemResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404; field: string; message: string };
const notFound = { ok: false, status: 404, field: "_form", message: "Not found" } as const;
const fail = (status: 400 | 403, field: string, message: string) => ({ ok: false as const, status, field, message });

const reviewer = alias(users, "reviewer");
const decider = alias(users, "decider");
const firstPasser = alias(users, "first_passer");

/** The items the actor may see in a campaign: every one for internal readers, its own organisation's for a partner admin. */
function itemScope(actor: Actor, campaignId: string): SQL | undefined {
  const inCampaign = eq(campaignItems.campaignId, campaignId);
  if (can(actor, "read:campaign:any")) return inCampaign;
  return and(inCampaign, eq(campaignItems.orgId, actor.orgId ?? "\u0000none"));
}

export type ItemQuery = { filters: ItemFilter[]; org?: string; page?: number };

function filterWhere(actor: Actor, filters: readonly ItemFilter[]): SQL[] {
  const out: SQL[] = [];
  for (const f of filters) {
    if (f === "unused") out.push(eq(campaignItems.unused, true));
    if (f === "overdue") out.push(eq(campaignItems.rotationOverdue, true));
    if (f === "shared") out.push(eq(campaignItems.shared, true));
    if (f === "flagged") out.push(eq(campaignItems.flagged, true));
    if (f === "undecided") out.push(or(isNull(campaignItems.decision), eq(campaignItems.decision, "unsure"))!);
    if (f === "mine") out.push(eq(campaignItems.reviewerId, actor.id));
  }
  return out;
}

const itemColumns = {
  id: campaignItems.id,
  orgId: campaignItems.orgId,
  credentialId: campaignItems.credentialId,
  snapshot: campaignItems.snapshot,
  reviewerId: campaignItems.reviewerId,
  reviewerName: reviewer.name,
  decision: campaignItems.decision,
  comment: campaignItems.comment,
  narrowedTo: campaignItems.narrowedTo,
  decidedByName: decider.name,
  decidedAt: campaignItems.decidedAt,
  outcome: campaignItems.outcome,
  escalatedAt: campaignItems.escalatedAt,
  firstPassDecision: campaignItems.firstPassDecision,
  firstPassComment: campaignItems.firstPassComment,
  firstPassByName: firstPasser.name,
  firstPassAt: campaignItems.firstPassAt,
  // Live values.
  keyId: credentials.keyId,
  status: credentials.status,
  grantModels: credentials.grantModels,
  grantEndpoints: credentials.grantEndpoints,
  storage: credentials.storage,
  issuedAt: credentials.issuedAt,
  expiresAt: credentials.expiresAt,
  lastRotatedAt: credentials.lastRotatedAt,
  lastUsedAt: credentials.lastUsedAt,
  lastUsedIp: credentials.lastUsedIp,
  lastReviewedAt: credentials.lastReviewedAt,
};

function itemsQuery() {
  return getDb()
    .select(itemColumns)
    .from(campaignItems)
    .innerJoin(credentials, eq(credentials.id, campaignItems.credentialId))
    .leftJoin(reviewer, eq(reviewer.id, campaignItems.reviewerId))
    .leftJoin(decider, eq(decider.id, campaignItems.decidedById))
    .leftJoin(firstPasser, eq(firstPasser.id, campaignItems.firstPassById));
}

type RawItem = Awaited<ReturnType<ReturnType<typeof itemsQuery>["all"]>>[number];

function withLive(r: RawItem, now: Date) {
  const snap = r.snapshot as CampaignSnapshot;
  const h = credentialHygiene(r, getPolicy(snap.orgTier as "restricted" | "standard"), now);
  return { ...r, snapshot: snap, live: { status: h.effectiveStatus, ageDays: h.ageDays, rotationState: h.rotationState, usageState: h.usageState, lastUsedAt: r.lastUsedAt, lastUsedIp: r.lastUsedIp, grantModels: r.grantModels, grantEndpoints: r.grantEndpoints, storage: r.storage, lastReviewedAt: r.lastReviewedAt } };
}
export type ItemView = ReturnType<typeof withLive>;

/** One page of the campaign's items visible to the actor, with the filters, ordered by organisation and key id. */
export function listItems(actor: Actor, campaignId: string, q: ItemQuery, now = new Date(), pageSize = 50) {
  const db = getDb();
  const where = and(itemScope(actor, campaignId), ...filterWhere(actor, q.filters), q.org ? eq(campaignItems.orgId, q.org) : undefined);
  const total = db.select({ n: sql<number>`count(*)` }).from(campaignItems).where(where).get()?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, q.page, pageSize);
  const rows = itemsQuery()
    .where(where)
    .orderBy(sql`json_extract(${campaignItems.snapshot}, '$.orgSlug')`, asc(credentials.keyId))
    .limit(pageSize)
    .offset(offset)
    .all();
  return { items: rows.map((r) => withLive(r, now)), total, page, pageCount };
}

/** Ids of the visible items matching the filters that this actor may decide (assigned to them, no final decision). */
export function decidableIds(actor: Actor, campaignId: string, filters: readonly ItemFilter[]): string[] {
  return getDb()
    .select({ id: campaignItems.id })
    .from(campaignItems)
    .where(and(itemScope(actor, campaignId), ...filterWhere(actor, filters), eq(campaignItems.reviewerId, actor.id), or(isNull(campaignItems.decision), eq(campaignItems.decision, "unsure"))))
    .all()
    .map((r) => r.id);
}

/** Decided / total, unsure, overdue (undecided past due), revocations: the campaign's progress counts. */
export function itemCounts(campaignId: string, orgId?: string) {
  const row = getDb()
    .select({
      total: sql<number>`count(*)`,
      decided: sql<number>`coalesce(sum(case when ${campaignItems.decision} in ('keep','revoke','narrow') then 1 else 0 end), 0)`,
      unsure: sql<number>`coalesce(sum(case when ${campaignItems.decision} = 'unsure' then 1 else 0 end), 0)`,
      revocations: sql<number>`coalesce(sum(case when ${campaignItems.decision} = 'revoke' or ${campaignItems.outcome} like 'revoked%' then 1 else 0 end), 0)`,
      firstPassDone: sql<number>`coalesce(sum(case when ${campaignItems.firstPassDecision} is not null then 1 else 0 end), 0)`,
    })
    .from(campaignItems)
    .where(and(eq(campaignItems.campaignId, campaignId), orgId ? eq(campaignItems.orgId, orgId) : undefined))
    .get()!;
  return row;
}

function loadItem(actor: Actor, campaignId: string, itemId: string) {
  const campaign = getCampaign(actor, campaignId);
  if (!campaign) return null;
  const item = getDb()
    .select({ id: campaignItems.id, orgId: campaignItems.orgId, credentialId: campaignItems.credentialId, keyId: credentials.keyId, credentialStatus: credentials.status, grantModels: credentials.grantModels, grantEndpoints: credentials.grantEndpoints, reviewerId: campaignItems.reviewerId, decision: campaignItems.decision, firstPassDecision: campaignItems.firstPassDecision })
    .from(campaignItems)
    .innerJoin(credentials, eq(credentials.id, campaignItems.credentialId))
    .where(and(itemScope(actor, campaignId), eq(campaignItems.id, itemId)))
    .get();
  return item ? { campaign, item } : null;
}

/**
 * Records the assigned reviewer's decision and carries it out in the same transaction: revoke revokes
 * the credential (gateway and partner told through the outbox), narrow applies the new grant, keep
 * records the credential's last review, unsure hands the item to the campaign owner. 403 when the item
 * is not assigned to the actor; 400 when the campaign is not open or the lifecycle refuses.
 */
export function decideItem(ctx: Ctx, campaignId: string, itemId: string, input: DecisionInput): ItemResult<{ outcome: string }> {
  if (!can(ctx.actor, "decide:campaign:any")) return can(ctx.actor, "read:campaign") && loadItem(ctx.actor, campaignId, itemId) ? fail(403, "_form", "Partner admins give a first pass; the decision is the internal reviewer's.") : notFound;
  const l = loadItem(ctx.actor, campaignId, itemId);
  if (!l) return notFound;
  const { campaign, item } = l;
  if (item.reviewerId !== ctx.actor.id) return fail(403, "_form", "This item is assigned to another reviewer; ask the campaign owner to reassign it.");
  if (campaign.status !== "open") return fail(400, "_form", "This campaign is not open.");
  if (isFinal(item.decision)) return fail(400, "_form", "This item is already decided.");
  if (input.decision === "narrow" && !isWithin({ models: input.models, endpoints: input.endpoints.length ? input.endpoints : item.grantEndpoints }, { models: item.grantModels, endpoints: item.grantEndpoints }, catalogRefs()))
    return fail(400, "models", "A review can only narrow a grant: keep a part of the current one.");
  const now = ctx.now ?? new Date();
  const db = getDb();
  let refusal: ItemResult<never> | null = null;
  const outcome = db.transaction((tx) => {
    let outcome: string;
    const set: Partial<typeof campaignItems.$inferInsert> = { decision: input.decision, comment: input.comment ?? null, decidedById: ctx.actor.id, decidedAt: now };
    if (input.decision === "revoke") {
      if (item.credentialStatus === "revoked" || item.credentialStatus === "expired") outcome = `already ${item.credentialStatus}`;
      else {
        const r = setCredentialStatus(ctx, item.keyId, "revoke", `Access review "${campaign.name}": ${input.comment}`);
        if (!r.ok) {
          refusal = fail(r.status === 404 ? 400 : r.status, "_form", r.message);
          return null;
        }
        outcome = "revoked";
      }
    } else if (input.decision === "narrow") {
      const grant = { models: input.models, endpoints: input.endpoints.length ? input.endpoints : item.grantEndpoints };
      const r = changeCredentialGrant(ctx, item.keyId, grant);
      if (!r.ok) {
        refusal = fail(r.status === 404 ? 400 : r.status, r.field === "grantModels" ? "models" : r.field === "grantEndpoints" ? "endpoints" : "_form", r.message);
        return null;
      }
      set.narrowedTo = grant;
      outcome = "narrowed";
    } else if (input.decision === "keep") {
      tx.update(credentials).set({ lastReviewedAt: now }).where(eq(credentials.id, item.credentialId)).run();
      outcome = "kept";
    } else {
      set.reviewerId = campaign.ownerId;
      set.escalatedAt = now;
      outcome = `escalated to ${campaign.ownerName ?? "the campaign owner"}`;
      enqueueEvent(tx, "campaign.item_escalated", { campaignId, itemId, keyId: item.keyId, reason: "unsure", comment: input.comment ?? null }, { orgId: null, now });
    }
    set.outcome = outcome;
    tx.update(campaignItems).set(set).where(eq(campaignItems.id, item.id)).run();
    writeAudit(tx, ctx, { action: "campaign.item_decided", targetType: "campaign_item", targetId: item.id, orgId: item.orgId, details: { campaignId, keyId: item.keyId, decision: input.decision, comment: input.comment ?? null, outcome, ...(set.narrowedTo ? { narrowedTo: set.narrowedTo } : {}) } });
    return outcome;
  });
  if (refusal) return refusal;
  return { ok: true, value: { outcome: outcome! } };
}

/**
 * The same decision on several items, each carried out in its own transaction. Every item must be
 * assigned to the actor (else 403 before anything is done); items a lifecycle refuses are reported.
 */
export function bulkDecide(ctx: Ctx, campaignId: string, itemIds: readonly string[], input: DecisionInput): ItemResult<{ done: number; skipped: { itemId: string; message: string }[] }> {
  if (!getCampaign(ctx.actor, campaignId)) return notFound;
  if (!can(ctx.actor, "decide:campaign:any")) return fail(403, "_form", "Partner admins give a first pass; the decision is the internal reviewer's.");
  if (itemIds.length === 0) return fail(400, "items", "Select at least one item.");
  const ids = [...new Set(itemIds)];
  const rows = getDb().select({ id: campaignItems.id, reviewerId: campaignItems.reviewerId }).from(campaignItems).where(and(eq(campaignItems.campaignId, campaignId), inArray(campaignItems.id, ids))).all();
  if (rows.length !== ids.length) return notFound;
  if (rows.some((r) => r.reviewerId !== ctx.actor.id)) return fail(403, "items", "Some selected items are assigned to another reviewer.");
  let done = 0;
  const skipped: { itemId: string; message: string }[] = [];
  for (const id of ids) {
    const r = decideItem(ctx, campaignId, id, input);
    if (r.ok) done++;
    else skipped.push({ itemId: id, message: r.message });
  }
  return { ok: true, value: { done, skipped } };
}

/** Hands items to another internal reviewer: the campaign owner, any vendor manager, or the item's current reviewer. */
export function reassignItems(ctx: Ctx, campaignId: string, itemIds: readonly string[], reviewerId: string): ItemResult<{ reassigned: number }> {
  const campaign = getCampaign(ctx.actor, campaignId);
  if (!campaign) return notFound;
  if (!can(ctx.actor, "decide:campaign:any")) return fail(403, "_form", "Only internal reviewers reassign items.");
  if (campaign.status !== "open") return fail(400, "_form", "This campaign is not open.");
  if (itemIds.length === 0) return fail(400, "items", "Select at least one item.");
  const target = getDb().select({ id: users.id, name: users.name, role: users.role, orgId: users.orgId, status: users.status }).from(users).where(eq(users.id, reviewerId)).get();
  if (!target || target.orgId || target.status !== "active" || !can({ role: target.role }, "decide:campaign:any")) return fail(400, "reviewer", "Choose an active vendor manager or security reviewer.");
  const ids = [...new Set(itemIds)];
  const rows = getDb().select({ id: campaignItems.id, orgId: campaignItems.orgId, reviewerId: campaignItems.reviewerId, decision: campaignItems.decision }).from(campaignItems).where(and(eq(campaignItems.campaignId, campaignId), inArray(campaignItems.id, ids))).all();
  if (rows.length !== ids.length) return notFound;
  const manager = ctx.actor.id === campaign.ownerId || can(ctx.actor, "create:campaign:any");
  if (!manager && rows.some((r) => r.reviewerId !== ctx.actor.id)) return fail(403, "items", "You can only hand over items assigned to you.");
  if (rows.some((r) => isFinal(r.decision))) return fail(400, "items", "Decided items cannot be reassigned.");
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    for (const r of rows) {
      if (r.reviewerId === reviewerId) continue;
      tx.update(campaignItems).set({ reviewerId }).where(eq(campaignItems.id, r.id)).run();
      writeAudit(tx, ctx, { action: "campaign.item_reassigned", targetType: "campaign_item", targetId: r.id, orgId: r.orgId, details: { campaignId, from: r.reviewerId, to: reviewerId } });
    }
    enqueueEvent(tx, "campaign.items_assigned", { campaignId, reviewer: target.name, items: rows.length }, { orgId: null, now });
  });
  return { ok: true, value: { reassigned: rows.length } };
}

/** The partner admin's first pass on an item of its own organisation: a recommendation recorded for the internal reviewer. */
export function recordFirstPass(ctx: Ctx, campaignId: string, itemId: string, input: DecisionInput): ItemResult<{ recorded: true }> {
  const l = loadItem(ctx.actor, campaignId, itemId);
  if (!l) return notFound;
  const { campaign, item } = l;
  if (!can(ctx.actor, "decide:campaign:own") || ctx.actor.orgId !== item.orgId) return fail(403, "_form", "The first pass is the holding organisation's admin's.");
  if (!campaign.firstPass) return fail(400, "_form", "This campaign has no first pass.");
  if (campaign.status !== "open") return fail(400, "_form", "This campaign is not open.");
  const now = ctx.now ?? new Date();
  getDb().transaction((tx) => {
    tx.update(campaignItems).set({ firstPassDecision: input.decision, firstPassComment: input.comment ?? null, firstPassById: ctx.actor.id, firstPassAt: now }).where(eq(campaignItems.id, item.id)).run();
    writeAudit(tx, ctx, { action: "campaign.first_pass", targetType: "campaign_item", targetId: item.id, orgId: item.orgId, details: { campaignId, keyId: item.keyId, recommendation: input.decision, comment: input.comment ?? null } });
  });
  return { ok: true, value: { recorded: true } };
}
