import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, flags, organizations } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { can } from "~/domain/permissions";
import { firstPassDueFor } from "./campaign-progress.server";
import { credentialAgeBins, policyLines, usageOverTime } from "./dashboard-charts.server";
import { untimed, type Timer } from "./dashboard-timing.server";
import { listOrgRisks, OPEN_FLAG_STATUSES } from "./risk.server";
import { listRotationSchedule } from "./rotation-schedule.server";
import { scopeFor, scopeWhere } from "./scope.server";

/** Rotations due within this many days are listed with the overdue ones. */
export const PARTNER_DUE_DAYS = 14;
/** At most this many rotations are listed (the most urgent); the page links to the full schedule. */
export const PARTNER_ROTATIONS = 15;

/**
 * A partner's (or contractor's) landing page: what is due and overdue for its organisation (and, for a
 * partner, its contractors): attestations, rotations, review first passes, flags to respond to.
 */
export function partnerDashboard(actor: Actor, now = new Date(), time: Timer = untimed) {
  const db = getDb();
  const scope = scopeFor(actor);
  const risks = time("risk", () => listOrgRisks(actor, now)); // a handful of organisations: live, as on their pages
  const schedule = time("rotations", () =>
    listRotationSchedule(actor, {
      withinDays: PARTNER_DUE_DAYS,
      now,
      perOrg: PARTNER_ROTATIONS, // enough for the most urgent PARTNER_ROTATIONS overall
    })
  );
  const openFlags = time("flags", () =>
    db
      .select({
        id: flags.id,
        rule: flags.rule,
        severity: flags.severity,
        status: flags.status,
        summary: flags.summary,
        lastSeen: flags.lastSeen,
        keyId: credentials.keyId,
        orgSlug: organizations.slug,
      })
      .from(flags)
      .leftJoin(credentials, eq(flags.credentialId, credentials.id))
      .leftJoin(organizations, eq(flags.orgId, organizations.id))
      .where(and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), scopeWhere(scope, flags.orgId)))
      .orderBy(desc(sql`case ${flags.severity} when 'critical' then 5 when 'high' then 4 when 'medium' then 3 when 'low' then 2 else 1 end`), desc(flags.lastSeen))
      .limit(10)
      .all()
  );
  const openFlagCount = db
    .select({ n: sql<number>`count(*)` })
    .from(flags)
    .where(and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), scopeWhere(scope, flags.orgId)))
    .get()!.n;
  const orgIds = risks.map((r) => r.id);
  const firstPasses = time("first_passes", () => (can(actor, "decide:campaign:own") ? risks.flatMap((r) => firstPassDueFor(r.id).map((c) => ({ ...c, orgName: r.name }))) : []));
  return {
    orgs: risks.map((r) => ({
      slug: r.slug,
      name: r.name,
      kind: r.kind,
      score: r.risk.score,
      level: r.risk.level,
      lines: r.risk.lines,
      attestation: r.attestation,
    })),
    // the most urgent first, across the family; the rest are on /rotations
    rotations: schedule
      .flatMap((g) => g.rows.map((row) => ({ ...row, orgSlug: g.orgSlug, orgName: g.orgName })))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.keyId.localeCompare(b.keyId))
      .slice(0, PARTNER_ROTATIONS),
    rotationTotals: {
      overdue: schedule.reduce((s, g) => s + g.overdue, 0),
      due: schedule.reduce((s, g) => s + g.total, 0),
    },
    firstPasses,
    flags: openFlags.map((f) => ({
      ...f,
      lastSeen: new Date(f.lastSeen).toISOString(),
    })),
    openFlagCount,
    canRespond: can(actor, "respond:flag:own"),
    // a partner's users see its family (itself and its contractors): distinct sources over the family
    usage: time("usage", () =>
      usageOverTime(scope, now, {
        orgIds,
        family: actor.orgKind === "partner" && actor.orgId ? actor.orgId : undefined,
      })
    ),
    ageBins: time("ages", () => credentialAgeBins(scope, now)),
    policyLines: policyLines(),
  };
}
