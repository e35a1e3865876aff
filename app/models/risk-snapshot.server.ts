import { and, asc, eq, gte, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { riskSnapshots } from "../../db/schema-dashboards";
import { DAY_MS } from "~/domain/credential-policy";
import type { AttestationState, RiskLevel } from "~/domain/risk-score";
import { listAllOrgRisks } from "./risk.server";
import { scopeWhere, type scopeFor } from "./scope.server";

// Daily risk snapshots: the 90-day trend on an organisation's page and attestation status over time.
// The scheduler writes one row per organisation and UTC day; a second run the same day replaces it.

export const TREND_DAYS = 90;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** Scores every organisation (offboarded ones left out) and stores today's snapshot. */
export function takeRiskSnapshots(now: Date = new Date()): { orgs: number; day: string } {
  const db = getDb();
  const day = dayOf(now);
  const risks = listAllOrgRisks(now);
  db.transaction((tx) => {
    for (const r of risks) {
      const row = { orgId: r.id, day, score: r.risk.score, level: r.risk.level, attestation: r.inputs.attestation, lines: r.risk.lines, takenAt: now };
      tx.insert(riskSnapshots)
        .values(row)
        .onConflictDoUpdate({ target: [riskSnapshots.orgId, riskSnapshots.day], set: { score: row.score, level: row.level, attestation: row.attestation, lines: row.lines, takenAt: now } })
        .run();
    }
  });
  return { orgs: risks.length, day };
}

export type TrendPoint = { day: string; score: number; level: RiskLevel };

/** The organisation's daily scores over the last `days` days, oldest first (days without a snapshot are absent). */
export function riskTrend(orgId: string, now: Date = new Date(), days = TREND_DAYS): TrendPoint[] {
  const from = dayOf(new Date(now.getTime() - (days - 1) * DAY_MS));
  return getDb()
    .select({ day: riskSnapshots.day, score: riskSnapshots.score, level: riskSnapshots.level })
    .from(riskSnapshots)
    .where(and(eq(riskSnapshots.orgId, orgId), gte(riskSnapshots.day, from)))
    .orderBy(asc(riskSnapshots.day))
    .all();
}

export type AttestationDay = { day: string } & Record<AttestationState, number>;

/** How many organisations (in scope) were current, due soon, overdue or missing on each snapshot day. */
export function attestationStatusOverTime(scope: ReturnType<typeof scopeFor>, now: Date = new Date(), days = TREND_DAYS): AttestationDay[] {
  const from = dayOf(new Date(now.getTime() - (days - 1) * DAY_MS));
  const rows = getDb()
    .select({ day: riskSnapshots.day, state: riskSnapshots.attestation, n: sql<number>`count(*)` })
    .from(riskSnapshots)
    .where(and(gte(riskSnapshots.day, from), scopeWhere(scope, riskSnapshots.orgId)))
    .groupBy(riskSnapshots.day, riskSnapshots.attestation)
    .orderBy(asc(riskSnapshots.day))
    .all();
  const out: AttestationDay[] = [];
  for (const r of rows) {
    let d = out[out.length - 1];
    if (!d || d.day !== r.day) out.push((d = { day: r.day, current: 0, due_soon: 0, overdue: 0, missing: 0 }));
    d[r.state] = r.n;
  }
  return out;
}
