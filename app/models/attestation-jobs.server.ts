import { and, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { organizations } from "../../db/schema";
import { attestations } from "../../db/schema-attestations";
import type { ActionContext } from "~/domain/actor";
import { attestationReminderKey, attestationReminderStage, cadenceRequest, daysBetween, isoDay } from "~/domain/attestation-schedule";
import { ORG_TIERS } from "~/domain/organization";
import { insertAttestation, OPEN_STATUSES } from "./attestation.server";
import { currentTemplate } from "./attestation-template.server";
import { enqueueEvent } from "./outbox.server";
import { getPolicy } from "./policy.server";
import { claimMark } from "./job-marks.server";

// The scheduler's attestation jobs (issue 4 point 2): requests on each tier's cadence, and reminders
// 30, 7 and 1 days before the due date and daily once overdue, each once (job_marks), via the outbox.

const system = (now: Date): ActionContext => ({ actor: null, ip: null, now });

/**
 * For each active organisation with nothing open whose accepted period ends within 30 days (or that
 * never attested), requests the next period on its tier's cadence, due when the current one ends (or
 * in 30 days). Idempotent: an open request stops a second one.
 */
export function requestOnCadence(now: Date): { requested: number } {
  const db = getDb();
  const template = currentTemplate(system(now));
  return db.transaction((tx) => {
    let requested = 0;
    for (const tier of ORG_TIERS) {
      const policy = getPolicy(tier);
      const orgs = tx.select({ id: organizations.id }).from(organizations).where(and(eq(organizations.tier, tier), eq(organizations.status, "active"))).all();
      for (const o of orgs) {
        const open = tx.select({ id: attestations.id }).from(attestations).where(and(eq(attestations.orgId, o.id), inArray(attestations.status, OPEN_STATUSES))).get();
        const last = tx.select({ periodEnd: attestations.periodEnd }).from(attestations).where(and(eq(attestations.orgId, o.id), eq(attestations.status, "accepted"))).orderBy(desc(attestations.periodEnd)).limit(1).get() ?? null;
        const next = cadenceRequest(last, !!open, policy.attestationCadenceDays, now);
        if (!next) continue;
        if (insertAttestation(tx, system(now), o.id, template.id, next, "cadence")) requested++;
      }
    }
    return { requested };
  });
}

/** Reminders for open attestations not yet submitted: one per stage per due date. */
export function attestationReminders(now: Date): { sent: number } {
  const db = getDb();
  const horizon = isoDay(new Date(now.getTime() + 31 * 86_400_000));
  return db.transaction((tx) => {
    let sent = 0;
    const open = tx
      .select({ id: attestations.id, orgId: attestations.orgId, orgSlug: organizations.slug, dueDate: attestations.dueDate, status: attestations.status })
      .from(attestations)
      .innerJoin(organizations, eq(organizations.id, attestations.orgId))
      .where(inArray(attestations.status, ["requested", "in_progress", "clarification"]))
      .all()
      .filter((a) => a.dueDate <= horizon);
    for (const a of open) {
      const stage = attestationReminderStage(a.dueDate, now);
      if (!stage) continue;
      if (!claimMark(tx, attestationReminderKey(a.id, stage, a.dueDate), now)) continue;
      const daysLeft = daysBetween(isoDay(now), a.dueDate);
      enqueueEvent(tx, daysLeft < 0 ? "attestation.overdue" : "attestation.reminder", { attestationId: a.id, org: a.orgSlug, dueDate: a.dueDate, stage, daysLeft, status: a.status }, { orgId: a.orgId, now });
      sent++;
    }
    return { sent };
  });
}
