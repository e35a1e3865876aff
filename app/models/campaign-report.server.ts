import { createHash } from "node:crypto";
import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, users } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { ActionContext, Actor } from "~/domain/actor";
import { canonicalJson } from "~/domain/audit-chain";
import { isFinal, undecidedOutcome, type CampaignSnapshot } from "~/domain/campaign";
import { can } from "~/domain/permissions";
import { signDocument, verifyDocument } from "~/jwt.server";
import { writeAudit } from "./audit.server";
import { getCampaign, type CampaignRow } from "./campaign.server";
import { setCredentialStatus } from "./credential-lifecycle.server";
import { csvLine } from "./credential-inventory.server";
import { enqueueEvent } from "./outbox.server";

// Closing a campaign (the undecided-item rule, then frozen) and its report: page rows, CSV, and a
// signed JSON export an auditor can check (JWS over the report's SHA-256, verified with verifyReport).

type Ctx = ActionContext & { actor: Actor };

/**
 * Closes an open campaign: each item without a final decision (none, or unsure) gets the campaign's
 * undecided rule (keep, or revoke carried out through the lifecycle), then the campaign is frozen.
 * One transaction: the revocations, the items, the campaign and their audit entries.
 */
export function closeCampaign(ctx: Ctx, id: string): { ok: true; value: { undecided: number; revoked: number } } | { ok: false; status: 400 | 403 | 404; message: string } {
  const c = getCampaign(ctx.actor, id);
  if (!c) return { ok: false, status: 404, message: "Not found" };
  if (!can(ctx.actor, "create:campaign:any")) return { ok: false, status: 403, message: "Only vendor managers close campaigns." };
  if (c.status !== "open") return { ok: false, status: 400, message: "Only an open campaign can be closed." };
  const now = ctx.now ?? new Date();
  const rule = undecidedOutcome(c.undecidedRule);
  const db = getDb();
  return db.transaction((tx) => {
    const open = tx
      .select({ id: campaignItems.id, orgId: campaignItems.orgId, decision: campaignItems.decision, keyId: credentials.keyId, status: credentials.status })
      .from(campaignItems)
      .innerJoin(credentials, eq(credentials.id, campaignItems.credentialId))
      .where(and(eq(campaignItems.campaignId, id), or(isNull(campaignItems.decision), eq(campaignItems.decision, "unsure"))))
      .all();
    let revoked = 0;
    for (const item of open) {
      let outcome = rule.outcome;
      if (rule.action === "revoke") {
        if (item.status === "active" || item.status === "suspended") {
          const r = setCredentialStatus(ctx, item.keyId, "revoke", `Undecided at the close of access review "${c.name}"`);
          if (r.ok) revoked++;
          else outcome = `not revoked at close: ${r.message}`;
        } else outcome = `already ${item.status} at close`;
      }
      tx.update(campaignItems).set({ outcome }).where(eq(campaignItems.id, item.id)).run();
    }
    tx.update(campaigns).set({ status: "closed", closedAt: now, closedById: ctx.actor.id }).where(eq(campaigns.id, id)).run();
    writeAudit(tx, ctx, { action: "campaign.closed", targetType: "campaign", targetId: id, details: { name: c.name, undecided: open.length, rule: c.undecidedRule, revokedAtClose: revoked } });
    enqueueEvent(tx, "campaign.closed", { campaignId: id, name: c.name, undecided: open.length, revokedAtClose: revoked }, { orgId: null, now });
    return { ok: true as const, value: { undecided: open.length, revoked } };
  });
}

export type ReportItem = CampaignSnapshot & {
  itemId: string;
  reviewer: string | null;
  decision: string | null;
  comment: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  outcome: string | null;
  narrowedTo: { models: string[]; endpoints: string[] } | null;
  firstPass: string | null;
  firstPassComment: string | null;
  firstPassBy: string | null;
  firstPassAt: string | null;
};
export type CampaignReport = {
  campaign: { id: string; name: string; status: string; mode: string; undecidedRule: string; opensOn: string; dueOn: string; openedAt: string | null; closedAt: string | null; owner: string | null; scope: { orgIds: string[]; tiers: string[]; models: string[] }; orgId: string | null };
  summary: { total: number; decided: number; kept: number; revoked: number; narrowed: number; unsure: number; undecided: number };
  items: ReportItem[];
};

const reviewer = alias(users, "reviewer");
const decider = alias(users, "decider");
const passer = alias(users, "passer");

/** The report's content for a campaign row (orgId: only that organisation's items). No tenancy check: callers pass a campaign they may read. */
export function buildReport(c: CampaignRow & { ownerName: string | null }, orgId?: string | null): CampaignReport {
  const rows = getDb()
    .select({ i: campaignItems, reviewer: reviewer.email, decidedBy: decider.email, firstPassBy: passer.email })
    .from(campaignItems)
    .leftJoin(reviewer, eq(reviewer.id, campaignItems.reviewerId))
    .leftJoin(decider, eq(decider.id, campaignItems.decidedById))
    .leftJoin(passer, eq(passer.id, campaignItems.firstPassById))
    .where(and(eq(campaignItems.campaignId, c.id), orgId ? eq(campaignItems.orgId, orgId) : undefined))
    .orderBy(sql`json_extract(${campaignItems.snapshot}, '$.orgSlug')`, sql`json_extract(${campaignItems.snapshot}, '$.keyId')`)
    .all();
  const items: ReportItem[] = rows.map(({ i, reviewer, decidedBy, firstPassBy }) => ({
    ...(i.snapshot as CampaignSnapshot),
    itemId: i.id,
    reviewer,
    decision: i.decision,
    comment: i.comment,
    decidedBy,
    decidedAt: i.decidedAt?.toISOString() ?? null,
    outcome: i.outcome,
    narrowedTo: i.narrowedTo ?? null,
    firstPass: i.firstPassDecision,
    firstPassComment: i.firstPassComment,
    firstPassBy,
    firstPassAt: i.firstPassAt?.toISOString() ?? null,
  }));
  const count = (d: string) => items.filter((i) => i.decision === d).length;
  return {
    campaign: {
      id: c.id,
      name: c.name,
      status: c.status,
      mode: c.mode,
      undecidedRule: c.undecidedRule,
      opensOn: c.opensOn,
      dueOn: c.dueOn,
      openedAt: c.openedAt?.toISOString() ?? null,
      closedAt: c.closedAt?.toISOString() ?? null,
      owner: c.ownerName,
      // One organisation's report (a partner's, an organisation's evidence pack) names no other organisation.
      scope: { orgIds: orgId ? c.scopeOrgIds.filter((o) => o === orgId) : c.scopeOrgIds, tiers: c.scopeTiers, models: c.scopeModels },
      orgId: orgId ?? null,
    },
    summary: {
      total: items.length,
      decided: items.filter((i) => isFinal(i.decision as never)).length,
      kept: count("keep"),
      revoked: items.filter((i) => i.outcome?.startsWith("revoked")).length,
      narrowed: count("narrow"),
      unsure: count("unsure"),
      undecided: items.filter((i) => !i.decision).length,
    },
    items,
  };
}

/** The report the actor may read (a partner admin: its own organisation's items only), or null. */
export function campaignReport(actor: Actor, id: string): CampaignReport | null {
  const c = getCampaign(actor, id);
  if (!c) return null;
  return buildReport(c, can(actor, "read:campaign:any") ? null : actor.orgId);
}

const CSV_COLUMNS = ["org", "keyId", "label", "holder", "grantModels", "grantEndpoints", "status", "ageDays", "maxAgeDays", "rotationState", "lastUsedAt", "lastUsedIp", "neverUsed", "openFlags", "attestation", "sharedWith", "storage", "firstPass", "firstPassComment", "firstPassBy", "reviewer", "decision", "comment", "decidedBy", "decidedAt", "outcome"] as const;

export function reportCsv(r: CampaignReport): string {
  return (
    csvLine(CSV_COLUMNS) +
    r.items
      .map((i) =>
        csvLine([i.orgSlug, i.keyId, i.label, i.holder, i.grantModels.join(" "), i.grantEndpoints.join(" "), i.status, i.ageDays, i.maxAgeDays, i.rotationState, i.lastUsedAt, i.lastUsedIp, i.neverUsed ? "yes" : "no", i.openFlags, i.attestation, i.sharedWith.join(" "), i.storage, i.firstPass, i.firstPassComment, i.firstPassBy, i.reviewer, i.decision, i.comment, i.decidedBy, i.decidedAt, i.outcome]),
      )
      .join("")
  );
}

export const REPORT_TYP = "keyward-campaign-report+jwt";
export const REPORT_AUDIENCE = "keyward:campaign-report";
const digest = (report: CampaignReport) => createHash("sha256").update(canonicalJson(report)).digest("hex");

/** The signed export: `{ report, signature }`, the signature a JWS (portal key, ES256) over the report's SHA-256 (canonical JSON). */
export async function signedReportJson(r: CampaignReport): Promise<string> {
  const signature = await signDocument({ campaignId: r.campaign.id, sha256: digest(r), items: r.items.length }, { audience: REPORT_AUDIENCE, typ: REPORT_TYP, subject: r.campaign.id });
  return `${JSON.stringify({ format: "keyward-campaign-report", version: 1, report: r, signature }, null, 2)}\n`;
}

/** Checks a signed export: the JWS verifies (kid, alg, issuer, audience, typ) and the report's digest matches it. */
export async function verifyReport(text: string, jwks?: Parameters<typeof verifyDocument>[1]["jwks"]): Promise<{ ok: true; campaignId: string; items: number; kid: string } | { ok: false; reason: string }> {
  let doc: { report?: CampaignReport; signature?: string };
  try {
    doc = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (!doc || typeof doc.signature !== "string" || !doc.report) return { ok: false, reason: "not a signed campaign report (report and signature expected)" };
  const check = await verifyDocument(doc.signature, { audience: REPORT_AUDIENCE, typ: REPORT_TYP, jwks });
  if (!check.ok) return { ok: false, reason: `signature: ${check.reason}` };
  if (check.payload.sha256 !== digest(doc.report)) return { ok: false, reason: "the report was changed after it was signed (digest mismatch)" };
  if (check.payload.campaignId !== doc.report.campaign?.id) return { ok: false, reason: "the signature belongs to another campaign" };
  return { ok: true, campaignId: String(check.payload.campaignId), items: doc.report.items.length, kid: check.kid };
}

/** Campaigns overlapping [from, to] (open → closed, or still open), for the evidence pack. */
export function campaignsOverlapping(range: { from: Date; to: Date }) {
  const owner = alias(users, "owner");
  return getDb()
    .select({ c: campaigns, ownerName: owner.name })
    .from(campaigns)
    .leftJoin(owner, eq(owner.id, campaigns.ownerId))
    .where(and(inArray(campaigns.status, ["open", "closed"]), sql`${campaigns.openedAt} <= ${range.to.getTime()}`, sql`coalesce(${campaigns.closedAt}, ${range.to.getTime()}) >= ${range.from.getTime()}`))
    .orderBy(asc(campaigns.openedAt))
    .all()
    .map((r) => ({ ...r.c, ownerName: r.ownerName }));
}
