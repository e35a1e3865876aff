import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb, type Tx } from "../../db/client";
import { credentials, credentialShares, flags, organizations, users } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { ActionContext, Actor } from "~/domain/actor";
import { differentialSelection, factsDigest, inCampaignScope, isoDay, type CampaignCreate, type CampaignSnapshot } from "~/domain/campaign";
import { credentialHygiene } from "~/domain/credential-policy";
import { can } from "~/domain/permissions";
import { attestationStatusFor } from "./attestation-status.server";
import { writeAudit } from "./audit.server";
import { catalogRefs } from "./entitlement.server";
import { enqueueEvent } from "./outbox.server";
import { getPolicy } from "./policy.server";

// Access review campaigns (issue 5): create, open (snapshot the credentials in scope), read. Items and
// decisions live in campaign-items.server.ts, closing and the report in campaign-report.server.ts.

export type CampaignRow = typeof campaigns.$inferSelect;
export type FieldResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404; errors: Record<string, string[]> };

const holder = alias(users, "holder");
const OPEN_FLAG_STATUSES = ["open", "acknowledged", "escalated"] as const;

/** Internal users who may be named as reviewers (they hold decide:campaign:any). */
export function listReviewerOptions() {
  return getDb()
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(and(eq(users.status, "active"), isNull(users.orgId), inArray(users.role, ["vendor_manager", "security"])))
    .orderBy(asc(users.name))
    .all();
}

/** Organisations a campaign can be scoped to (internal users only). */
export function listScopeOrgs() {
  return getDb().select({ id: organizations.id, slug: organizations.slug, name: organizations.name }).from(organizations).orderBy(asc(organizations.name)).all();
}

/**
 * Creates a campaign (owner: the actor). Opens it at once when its opening date has come (snapshot of
 * the credentials in scope), else it waits for the scheduler. Named orgs are slugs; unknown ones are a 400.
 */
export function createCampaign(ctx: ActionContext & { actor: Actor }, input: CampaignCreate): FieldResult<{ id: string; items: number | null }> {
  const db = getDb();
  const now = ctx.now ?? new Date();
  const orgRows = input.orgs.length ? db.select({ id: organizations.id, slug: organizations.slug }).from(organizations).where(inArray(organizations.slug, input.orgs)).all() : [];
  const unknown = input.orgs.filter((s) => !orgRows.some((o) => o.slug === s));
  if (unknown.length) return { ok: false, status: 400, errors: { orgs: [`Unknown organisation: ${unknown.join(", ")}`] } };
  if (input.reviewer && !listReviewerOptions().some((u) => u.id === input.reviewer)) return { ok: false, status: 400, errors: { reviewer: ["Choose an active vendor manager or security reviewer"] } };
  const known = new Set(catalogRefs().map((m) => m.name));
  const badModels = input.models.filter((m) => !known.has(m));
  if (badModels.length) return { ok: false, status: 400, errors: { models: [`Not in the catalog: ${badModels.join(", ")}`] } };
  const id = crypto.randomUUID();
  const items = db.transaction((tx) => {
    tx.insert(campaigns)
      .values({
        id,
        name: input.name,
        seriesId: id,
        sequence: 1,
        scopeOrgIds: orgRows.map((o) => o.id),
        scopeTiers: input.tiers,
        scopeModels: input.models,
        reviewerId: input.reviewer ?? null,
        firstPass: input.firstPass,
        mode: input.mode,
        undecidedRule: input.undecidedRule,
        opensOn: input.opensOn,
        dueOn: input.dueOn,
        recurrenceDays: input.recurrenceDays ?? null,
        ownerId: ctx.actor.id,
        createdAt: now,
      })
      .run();
    writeAudit(tx, ctx, { action: "campaign.created", targetType: "campaign", targetId: id, details: { name: input.name, scope: { orgs: input.orgs, tiers: input.tiers, models: input.models }, mode: input.mode, opensOn: input.opensOn, dueOn: input.dueOn, recurrenceDays: input.recurrenceDays ?? null, undecidedRule: input.undecidedRule, firstPass: input.firstPass, reviewerId: input.reviewer ?? null } });
    return input.opensOn <= isoDay(now) ? openCampaignTx(tx, ctx, id) : null;
  });
  return { ok: true, value: { id, items } };
}

/** Opens a scheduled campaign (the scheduler, or creation on its opening day). Returns the item count, or null when it was not scheduled. */
export function openCampaign(ctx: ActionContext, id: string): number | null {
  return getDb().transaction((tx) => openCampaignTx(tx, ctx, id));
}

function openCampaignTx(tx: Tx, ctx: ActionContext, id: string): number | null {
  const now = ctx.now ?? new Date();
  const c = tx.select().from(campaigns).where(eq(campaigns.id, id)).get();
  if (!c || c.status !== "scheduled") return null;
  const { selected, inScope } = snapshotItems(tx, c, now);
  tx.update(campaigns).set({ status: "open", openedAt: now }).where(eq(campaigns.id, c.id)).run();
  writeAudit(tx, ctx, { action: "campaign.opened", targetType: "campaign", targetId: c.id, details: { name: c.name, items: selected.length, inScope, mode: c.mode } });
  enqueueEvent(tx, "campaign.opened", { campaignId: c.id, name: c.name, dueOn: c.dueOn, items: selected.length }, { orgId: null, now });
  if (c.firstPass) {
    const perOrg = new Map<string, number>();
    for (const s of selected) perOrg.set(s.orgId, (perOrg.get(s.orgId) ?? 0) + 1);
    for (const [orgId, n] of perOrg) enqueueEvent(tx, "campaign.first_pass_requested", { campaignId: c.id, name: c.name, dueOn: c.dueOn, items: n }, { orgId, now });
  }
  return selected.length;
}

/**
 * Inserts the campaign's items: each credential in scope (differential mode: new or changed since the
 * series' last closed campaign) with its snapshot and reviewer. The caller audits (the demo seeder
 * writes them inside its own single audited seed).
 */
export function snapshotItems(tx: Tx, c: CampaignRow, now: Date): { selected: { itemId: string; orgId: string }[]; inScope: number } {
  const catalog = catalogRefs();
  const rows = tx
    .select({
      id: credentials.id,
      keyId: credentials.keyId,
      label: credentials.label,
      orgId: credentials.orgId,
      orgSlug: organizations.slug,
      orgName: organizations.name,
      orgTier: organizations.tier,
      orgOwnerId: organizations.ownerId,
      holderUserId: credentials.holderUserId,
      holderName: holder.name,
      holderService: credentials.holderService,
      grantModels: credentials.grantModels,
      grantEndpoints: credentials.grantEndpoints,
      environment: credentials.environment,
      storage: credentials.storage,
      status: credentials.status,
      issuedAt: credentials.issuedAt,
      expiresAt: credentials.expiresAt,
      lastRotatedAt: credentials.lastRotatedAt,
      lastUsedAt: credentials.lastUsedAt,
      lastUsedIp: credentials.lastUsedIp,
    })
    .from(credentials)
    .innerJoin(organizations, eq(organizations.id, credentials.orgId))
    .leftJoin(holder, eq(holder.id, credentials.holderUserId))
    .where(inArray(credentials.status, ["active", "suspended"]))
    .orderBy(asc(organizations.slug), asc(credentials.keyId))
    .all()
    .filter((r) => inCampaignScope(r, { orgIds: c.scopeOrgIds, tiers: c.scopeTiers, models: c.scopeModels }, catalog))
    .filter((r) => credentialHygiene(r, { maxCredentialAgeDays: 1, unusedThresholdDays: 1 }, now).effectiveStatus !== "expired");
  const ids = rows.map((r) => r.id);
  const shares = new Map<string, string[]>();
  const openFlags = new Map<string, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const s of tx.select({ credentialId: credentialShares.credentialId, slug: organizations.slug }).from(credentialShares).innerJoin(organizations, eq(organizations.id, credentialShares.orgId)).where(inArray(credentialShares.credentialId, chunk)).all())
      shares.set(s.credentialId, [...(shares.get(s.credentialId) ?? []), s.slug]);
    for (const f of tx
      .select({ credentialId: flags.credentialId, n: sql<number>`count(*)` })
      .from(flags)
      .where(and(inArray(flags.credentialId, chunk), inArray(flags.status, [...OPEN_FLAG_STATUSES])))
      .groupBy(flags.credentialId)
      .all())
      if (f.credentialId) openFlags.set(f.credentialId, f.n);
  }
  const attestation = attestationStatusFor([...new Set(rows.map((r) => r.orgId))]);
  const candidates = rows.map((r) => {
    const holderLabel = r.holderName ?? r.holderService ?? null;
    const sharedWith = (shares.get(r.id) ?? []).sort();
    return { r, holderLabel, sharedWith, credentialId: r.id, digest: factsDigest({ ...r, holder: r.holderUserId ?? r.holderService ?? null, sharedWith }) };
  });
  const selected = c.mode === "differential" ? differentialSelection(candidates, previousDigests(tx, c.seriesId)) : candidates;
  const out: { itemId: string; orgId: string }[] = [];
  for (const { r, holderLabel, sharedWith, digest } of selected) {
    const itemId = crypto.randomUUID();
    out.push({ itemId, orgId: r.orgId });
    const policy = getPolicy(r.orgTier);
    const h = credentialHygiene(r, policy, now);
    const snapshot: CampaignSnapshot = {
      keyId: r.keyId,
      label: r.label,
      orgSlug: r.orgSlug,
      orgName: r.orgName,
      orgTier: r.orgTier,
      holder: holderLabel,
      grantModels: r.grantModels,
      grantEndpoints: r.grantEndpoints,
      status: h.effectiveStatus,
      ageDays: h.ageDays,
      maxAgeDays: policy.maxCredentialAgeDays,
      rotationState: h.rotationState,
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      lastUsedIp: r.lastUsedIp,
      neverUsed: h.usageState === "never_used",
      usageState: h.usageState,
      openFlags: openFlags.get(r.id) ?? 0,
      attestation: attestation.get(r.orgId)?.state ?? "missing",
      sharedWith,
      storage: r.storage,
    };
    tx.insert(campaignItems)
      .values({
        id: itemId,
        campaignId: c.id,
        credentialId: r.id,
        orgId: r.orgId,
        snapshot,
        factsDigest: digest,
        unused: h.usageState !== "in_use",
        rotationOverdue: h.rotationState === "overdue",
        shared: sharedWith.length > 0,
        flagged: snapshot.openFlags > 0,
        reviewerId: c.reviewerId ?? r.orgOwnerId ?? c.ownerId,
      })
      .run();
  }
  return { selected: out, inScope: candidates.length };
}

/** credential id → the facts' digest as last reviewed in a closed campaign of the series (the latest wins). */
function previousDigests(tx: Tx, seriesId: string): Map<string, string> | null {
  const rows = tx
    .select({ credentialId: campaignItems.credentialId, digest: campaignItems.factsDigest })
    .from(campaignItems)
    .innerJoin(campaigns, eq(campaigns.id, campaignItems.campaignId))
    .where(and(eq(campaigns.seriesId, seriesId), eq(campaigns.status, "closed")))
    .orderBy(asc(campaigns.sequence))
    .all();
  const closed = tx.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.seriesId, seriesId), eq(campaigns.status, "closed"))).limit(1).get();
  if (!closed) return null;
  return new Map(rows.map((r) => [r.credentialId, r.digest]));
}

/**
 * The campaign as the actor may see it, or null (404). Internal readers see every campaign; a partner
 * admin sees one only when it asks for a first pass and holds items of the admin's own organisation.
 */
export function getCampaign(actor: Actor, id: string): (CampaignRow & { ownerName: string | null }) | null {
  const db = getDb();
  const owner = alias(users, "owner");
  const row = db.select({ c: campaigns, ownerName: owner.name }).from(campaigns).leftJoin(owner, eq(owner.id, campaigns.ownerId)).where(eq(campaigns.id, id)).get();
  if (!row) return null;
  if (can(actor, "read:campaign:any")) return { ...row.c, ownerName: row.ownerName };
  if (!can(actor, "read:campaign:own") || !actor.orgId || !row.c.firstPass) return null;
  const mine = db.select({ id: campaignItems.id }).from(campaignItems).where(and(eq(campaignItems.campaignId, id), eq(campaignItems.orgId, actor.orgId))).limit(1).get();
  // A partner admin sees the campaign, not who else is in it: its scope keeps only the reader's organisation.
  return mine ? { ...row.c, scopeOrgIds: row.c.scopeOrgIds.filter((o) => o === actor.orgId), ownerName: row.ownerName } : null;
}

/** The series' campaigns, newest first (the campaign page's history). */
export function listSeries(seriesId: string) {
  return getDb().select({ id: campaigns.id, name: campaigns.name, sequence: campaigns.sequence, status: campaigns.status, opensOn: campaigns.opensOn, dueOn: campaigns.dueOn }).from(campaigns).where(eq(campaigns.seriesId, seriesId)).orderBy(desc(campaigns.sequence)).all();
}
