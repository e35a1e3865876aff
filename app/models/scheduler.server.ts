import { and, eq, inArray, isNotNull, lte, or, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, organizations, sessions } from "../../db/schema";
import { deleteExpiredSessions } from "~/auth.server";
import type { ActionContext } from "~/domain/actor";
import { credentialHygiene, DAY_MS, DUE_SOON_DAYS } from "~/domain/credential-policy";
import { ORG_TIERS } from "~/domain/organization";
import { reminderKey, reminderStage } from "~/domain/reminders";
import type { FetchLike } from "~/outbox-delivery.server";
import { writeAudit } from "./audit.server";
import { campaignReminders, openDueCampaigns } from "./campaign-scheduler.server";
import { attestationReminders, requestOnCadence } from "./attestation-jobs.server";
import { deliverDueOutbox, enqueueEvent, type DeliveryRunResult } from "./outbox.server";
import { getPolicy } from "./policy.server";
import { purgeOldEvents, type RetentionRun } from "./retention.server";
import { takeRiskSnapshots } from "./risk-snapshot.server";
import { rollUpUsageTotals } from "./usage-totals.server";
import { claimMark } from "./job-marks.server";

// The scheduler's jobs (issue 3 point 8), run by `keyward scheduler`. Each takes `now`, returns
// counts, and is idempotent: a second run in the same period finds nothing left to do (a status that
// already changed, or a job_marks key already written in the same transaction as the work).

/** The system acting: no user, no IP. */
const system = (now: Date): ActionContext => ({ actor: null, ip: null, now });

/**
 * Active or suspended credentials whose expiry has passed become expired: audited (actor: system) and
 * announced (credential.expired) in the same transaction, one per credential.
 */
export function markExpired(now: Date): { expired: number } {
  const db = getDb();
  return db.transaction((tx) => {
    const due = tx
      .select({ id: credentials.id, keyId: credentials.keyId, orgId: credentials.orgId, orgSlug: organizations.slug, status: credentials.status, expiresAt: credentials.expiresAt })
      .from(credentials)
      .innerJoin(organizations, eq(organizations.id, credentials.orgId))
      .where(and(inArray(credentials.status, ["active", "suspended"]), isNotNull(credentials.expiresAt), lte(credentials.expiresAt, now)))
      .all();
    let expired = 0;
    for (const c of due) {
      const changed = tx
        .update(credentials)
        .set({ status: "expired", statusReason: "Expired", updatedAt: now })
        .where(and(eq(credentials.id, c.id), inArray(credentials.status, ["active", "suspended"])))
        .run().changes;
      if (!changed) continue;
      expired++;
      const expiresAt = c.expiresAt!.toISOString();
      writeAudit(tx, system(now), { action: "credential.expired", targetType: "credential", targetId: c.id, orgId: c.orgId, details: { keyId: c.keyId, expiresAt, previousStatus: c.status } });
      enqueueEvent(tx, "credential.expired", { keyId: c.keyId, org: c.orgSlug, expiresAt }, { orgId: c.orgId, now });
    }
    return { expired };
  });
}

/**
 * Rotation reminders for active credentials: 14 days and 3 days before the due date, on it, then
 * weekly while overdue (domain/reminders.ts), each sent once per due date (job_marks). The due date is
 * the tier policy's (credentialHygiene); only credentials within 14 days of it are read.
 */
export function rotationReminders(now: Date): { sent: number } {
  const db = getDb();
  return db.transaction((tx) => {
    let sent = 0;
    for (const tier of ORG_TIERS) {
      const policy = getPolicy(tier);
      // Age counts from the last rotation, else from issue: reminders start DUE_SOON_DAYS before the maximum.
      const since = new Date(now.getTime() - (policy.maxCredentialAgeDays - DUE_SOON_DAYS) * DAY_MS);
      const candidates = tx
        .select({
          id: credentials.id,
          keyId: credentials.keyId,
          orgId: credentials.orgId,
          orgSlug: organizations.slug,
          status: credentials.status,
          issuedAt: credentials.issuedAt,
          lastRotatedAt: credentials.lastRotatedAt,
          lastUsedAt: credentials.lastUsedAt,
          expiresAt: credentials.expiresAt,
        })
        .from(credentials)
        .innerJoin(organizations, eq(organizations.id, credentials.orgId))
        .where(
          and(
            eq(credentials.status, "active"),
            eq(organizations.tier, tier),
            or(lte(credentials.lastRotatedAt, since), and(sql`${credentials.lastRotatedAt} is null`, lte(credentials.issuedAt, since))),
          ),
        )
        .all();
      for (const c of candidates) {
        const hygiene = credentialHygiene(c, policy, now);
        if (hygiene.effectiveStatus !== "active" || !hygiene.rotationDueAt) continue;
        const stage = reminderStage(hygiene.rotationDueAt, now);
        if (!stage) continue;
        if (!claimMark(tx, reminderKey(c.id, stage, hygiene.rotationDueAt), now)) continue;
        enqueueEvent(tx, "rotation.reminder", { keyId: c.keyId, org: c.orgSlug, dueAt: hygiene.rotationDueAt.toISOString(), stage }, { orgId: c.orgId, now });
        sent++;
      }
    }
    return { sent };
  });
}

/** Sends due outbox rows, batch after batch while batches come back full (at most `maxBatches`). */
export async function deliverOutbox(now: Date, opts: { fetch?: FetchLike; batchSize?: number; maxBatches?: number; timeoutMs?: number } = {}): Promise<DeliveryRunResult> {
  const total: DeliveryRunResult = { claimed: 0, delivered: 0, failed: 0, dead: 0 };
  const batchSize = opts.batchSize ?? 50;
  for (let i = 0; i < (opts.maxBatches ?? 10); i++) {
    const r = await deliverDueOutbox({ now, limit: batchSize, fetch: opts.fetch, timeoutMs: opts.timeoutMs });
    total.claimed += r.claimed;
    total.delivered += r.delivered;
    total.failed += r.failed;
    total.dead += r.dead;
    if (r.claimed < batchSize) break;
  }
  return total;
}

/** Deletes expired sessions (lucia's own rule: expired by the clock). */
export async function purgeSessions(_now: Date): Promise<{ deleted: number }> {
  const db = getDb();
  const count = () => db.select({ n: sql<number>`count(*)` }).from(sessions).get()?.n ?? 0;
  const before = count();
  await deleteExpiredSessions();
  return { deleted: before - count() };
}

export type SchedulerRun = {
  at: string;
  markExpired: { expired: number };
  rotationReminders: { sent: number };
  campaigns: { created: number; opened: number; reminders: number; escalated: number };
  attestationRequests: { requested: number };
  attestationReminders: { sent: number };
  deliverOutbox: DeliveryRunResult;
  purgeSessions: { deleted: number };
  purgeOldEvents: RetentionRun;
  riskSnapshots: ReturnType<typeof takeRiskSnapshots>;
  usageTotals: ReturnType<typeof rollUpUsageTotals>;
};

/** Every job once, in order: expiry and reminders first, so their events go out in the same run. */
export async function runScheduledJobs(now: Date = new Date(), opts: { fetch?: FetchLike } = {}): Promise<SchedulerRun> {
  const expired = markExpired(now);
  const reminders = rotationReminders(now);
  const opened = openDueCampaigns(now);
  const campaignRun = campaignReminders(now);
  const attRequests = requestOnCadence(now);
  const attReminders = attestationReminders(now);
  const delivery = await deliverOutbox(now, { fetch: opts.fetch });
  const purged = await purgeSessions(now);
  const retention = await purgeOldEvents(now);
  // Dashboards (issue 8): today's risk snapshot per organisation and the daily usage totals, each at most once an hour (job_marks).
  const snapshots = takeRiskSnapshots(now);
  const totals = rollUpUsageTotals(now);
  return {
    at: now.toISOString(),
    markExpired: expired,
    rotationReminders: reminders,
    campaigns: { ...opened, reminders: campaignRun.sent, escalated: campaignRun.escalated },
    attestationRequests: attRequests,
    attestationReminders: attReminders,
    deliverOutbox: delivery,
    purgeSessions: purged,
    purgeOldEvents: retention,
    riskSnapshots: snapshots,
    usageTotals: totals,
  };
}
