import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { campaignItems, campaigns } from "../../db/schema-reviews";
import type { ActionContext } from "~/domain/actor";
import { isOverdue, isoDay, nextOccurrence } from "~/domain/campaign";
import { campaignReminderKey, campaignReminderStage } from "~/domain/campaign-reminders";
import { writeAudit } from "./audit.server";
import { openCampaign } from "./campaign.server";
import { enqueueEvent } from "./outbox.server";
import { claimMark } from "./job-marks.server";

// The scheduler's campaign jobs (issue 5 point 4): open scheduled campaigns on their day, create the
// next campaign of a recurring series, send reminders (each stage once) and escalate overdue items to
// the campaign owner (each item once). Idempotent: job_marks keys written with the work.

const system = (now: Date): ActionContext => ({ actor: null, ip: null, now });

/**
 * Recurring series: when a campaign's next occurrence has reached its opening day and the series has
 * no later campaign, the next one is created (same settings, sequence + 1) and opened. Then every
 * scheduled campaign whose opening day has come is opened.
 */
export function openDueCampaigns(now: Date): { created: number; opened: number } {
  const db = getDb();
  const today = isoDay(now);
  let created = 0;
  const latest = db
    .select()
    .from(campaigns)
    .where(and(sql`${campaigns.recurrenceDays} is not null`, sql`${campaigns.sequence} = (select max(c2.sequence) from ${campaigns} c2 where c2.series_id = ${campaigns.seriesId})`))
    .all();
  for (const c of latest) {
    const next = nextOccurrence({ opensOn: c.opensOn, dueOn: c.dueOn, recurrenceDays: c.recurrenceDays! });
    if (next.opensOn > today) continue;
    const id = crypto.randomUUID();
    const done = db.transaction((tx) => {
      if (!claimMark(tx, `campaign-recurrence:${c.seriesId}:${c.sequence + 1}`, now)) return false;
      const { id: _id, status: _s, openedAt: _o, closedAt: _c, closedById: _b, createdAt: _a, ...settings } = c;
      tx.insert(campaigns).values({ ...settings, id, sequence: c.sequence + 1, ...next, status: "scheduled", createdAt: now }).run();
      writeAudit(tx, system(now), { action: "campaign.recurred", targetType: "campaign", targetId: id, details: { seriesId: c.seriesId, sequence: c.sequence + 1, previous: c.id, ...next } });
      return true;
    });
    if (done) created++;
  }
  let opened = 0;
  for (const c of db.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.status, "scheduled"), lte(campaigns.opensOn, today))).all()) if (openCampaign(system(now), c.id) !== null) opened++;
  return { created, opened };
}

/**
 * Reminders for open campaigns (domain/campaign-reminders.ts), each stage once: to the internal
 * receivers with the undecided count per reviewer, and, while a first pass is pending, to each
 * partner with items left. Overdue undecided items escalate to the campaign owner, once per item.
 */
export function campaignReminders(now: Date): { sent: number; escalated: number } {
  const db = getDb();
  let sent = 0;
  let escalated = 0;
  for (const c of db.select().from(campaigns).where(eq(campaigns.status, "open")).all()) {
    const stage = campaignReminderStage(c.opensOn, c.dueOn, now);
    db.transaction((tx) => {
      const undecided = or(isNull(campaignItems.decision), eq(campaignItems.decision, "unsure"));
      if (stage && claimMark(tx, campaignReminderKey(c.id, stage), now)) {
        const perReviewer = tx
          .select({ reviewerId: campaignItems.reviewerId, email: users.email, n: sql<number>`count(*)` })
          .from(campaignItems)
          .leftJoin(users, eq(users.id, campaignItems.reviewerId))
          .where(and(eq(campaignItems.campaignId, c.id), undecided))
          .groupBy(campaignItems.reviewerId)
          .all();
        enqueueEvent(tx, "campaign.reminder", { campaignId: c.id, name: c.name, dueOn: c.dueOn, stage, pending: perReviewer.map((r) => ({ reviewerId: r.reviewerId, reviewer: r.email, items: r.n })) }, { orgId: null, now });
        if (c.firstPass) {
          const perOrg = tx
            .select({ orgId: campaignItems.orgId, n: sql<number>`count(*)` })
            .from(campaignItems)
            .where(and(eq(campaignItems.campaignId, c.id), isNull(campaignItems.firstPassDecision), isNull(campaignItems.decision)))
            .groupBy(campaignItems.orgId)
            .all();
          for (const o of perOrg) enqueueEvent(tx, "campaign.first_pass_reminder", { campaignId: c.id, name: c.name, dueOn: c.dueOn, stage, items: o.n }, { orgId: o.orgId, now });
        }
        sent++;
      }
      if (!isOverdue(c.dueOn, now)) return;
      const late = tx.select({ id: campaignItems.id, orgId: campaignItems.orgId, reviewerId: campaignItems.reviewerId }).from(campaignItems).where(and(eq(campaignItems.campaignId, c.id), undecided, isNull(campaignItems.escalatedAt))).all();
      if (late.length === 0) return;
      for (const item of late) {
        tx.update(campaignItems).set({ reviewerId: c.ownerId, escalatedAt: now }).where(eq(campaignItems.id, item.id)).run();
        writeAudit(tx, system(now), { action: "campaign.item_escalated", targetType: "campaign_item", targetId: item.id, orgId: item.orgId, details: { campaignId: c.id, reason: "overdue", from: item.reviewerId, to: c.ownerId } });
      }
      enqueueEvent(tx, "campaign.escalated", { campaignId: c.id, name: c.name, dueOn: c.dueOn, ownerId: c.ownerId, items: late.length }, { orgId: null, now });
      escalated += late.length;
    });
  }
  return { sent, escalated };
}
