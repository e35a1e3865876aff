import { and, asc, eq, gte, isNotNull, lte, ne, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { organizations } from "../../db/schema";
import { riskSnapshots } from "../../db/schema-dashboards";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import type { AttestationState, RiskLevel } from "~/domain/risk-score";
import type { AgeBin } from "~/domain/chart-data";
import type { OrgAttestationStatus } from "./attestation-status.server";
import { AGE_BINS, ageBinCounts, credentialAgeBins, toAgeBins } from "./dashboard-charts.server";
import { ORG_SUMMARY_COLUMNS } from "./organization.server";
import { claimMark, isMarked, periodMark, prunePeriodMarks } from "./job-marks.server";
import { listAllOrgRisks, scoreOrgs } from "./risk.server";
import { scopeFor, scopeWhere } from "./scope.server";

// Risk snapshots: one row per organisation and UTC day. The scheduler re-takes today's row for every
// organisation at most once an hour (SNAPSHOT_EVERY_MS, a job_marks key per hour), so a day's row is
// its last take: the 90-day trend on an organisation's page and attestation status over time. While a
// row is fresh (taken within SNAPSHOT_FRESH_MS) the dashboards rank organisations from it instead of
// scoring 500 organisations live; an organisation without a fresh row (new today, or the scheduler not
// running) is scored live. The organisation's own page always explains its live score.

export const TREND_DAYS = 90;
export const SNAPSHOT_EVERY_MS = 60 * 60 * 1000;
/** Two hourly takes: one missed run does not send the dashboards back to live scoring. */
export const SNAPSHOT_FRESH_MS = 2 * SNAPSHOT_EVERY_MS;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Scores every organisation (offboarded ones left out) and stores today's snapshot, replacing an
 * earlier take of the day. At most once per hour unless `force` (on demand: `keyward risk-snapshot`).
 */
export function takeRiskSnapshots(now: Date = new Date(), opts: { force?: boolean } = {}): { orgs: number; day: string; skipped?: true } {
  const db = getDb();
  const day = dayOf(now);
  const mark = periodMark("risk-snapshots", SNAPSHOT_EVERY_MS, now);
  if (!opts.force && isMarked(mark)) return { orgs: 0, day, skipped: true };
  const risks = listAllOrgRisks(now);
  const ages = ageBinCounts(now);
  const done = db.transaction((tx) => {
    if (!claimMark(tx, mark, now) && !opts.force) return false; // another process took it
    for (const r of risks) {
      const row = { score: r.risk.score, level: r.risk.level, attestation: r.inputs.attestation, lines: r.risk.lines, inputs: r.inputs, ageBins: ages.get(r.id) ?? AGE_BINS.map(() => 0), takenAt: now };
      tx.insert(riskSnapshots)
        .values({ orgId: r.id, day, ...row })
        .onConflictDoUpdate({ target: [riskSnapshots.orgId, riskSnapshots.day], set: row })
        .run();
    }
    prunePeriodMarks(tx, "risk-snapshots", now);
    return true;
  });
  return done ? { orgs: risks.length, day } : { orgs: 0, day, skipped: true };
}

export type RankedOrg = {
  id: string;
  slug: string;
  name: string;
  kind: "partner" | "contractor";
  tier: "restricted" | "standard";
  score: number;
  level: RiskLevel;
  /** The largest finding's text. */
  top: string | null;
  overdueRotations: number;
  /** When the score was taken; null when it was scored live for this request. */
  asOf: Date | null;
  /** Live credentials per age bin when the snapshot was taken (null: scored live, or not kept). */
  ageBins: number[] | null;
  /** The attestation status the live score read (null: from a snapshot), so a dashboard need not query it again. */
  attestation: OrgAttestationStatus | null;
};

/**
 * The organisations the actor may see (offboarded ones left out), riskiest first: from each one's fresh
 * snapshot, the others scored live. Reads the first line's text and the overdue count in SQL, not the JSON.
 */
export function rankOrgRisks(actor: Actor, now: Date = new Date()): RankedOrg[] {
  const db = getDb();
  const scope = scopeFor(actor);
  const orgs = db
    .select(ORG_SUMMARY_COLUMNS)
    .from(organizations)
    .where(and(ne(organizations.status, "offboarded"), scopeWhere(scope, organizations.id)))
    .all();
  const snaps = db
    .select({
      orgId: riskSnapshots.orgId,
      score: riskSnapshots.score,
      level: riskSnapshots.level,
      top: sql<string | null>`json_extract(${riskSnapshots.lines}, '$[0].text')`,
      overdue: sql<number>`json_extract(${riskSnapshots.inputs}, '$.overdueRotations')`,
      takenAt: riskSnapshots.takenAt,
      ageBins: riskSnapshots.ageBins,
    })
    .from(riskSnapshots)
    .where(
      and(
        gte(riskSnapshots.day, dayOf(new Date(now.getTime() - SNAPSHOT_FRESH_MS))), // today (and yesterday only in the first hours of a day)
        gte(riskSnapshots.takenAt, new Date(now.getTime() - SNAPSHOT_FRESH_MS)),
        lte(riskSnapshots.takenAt, now),
        isNotNull(riskSnapshots.inputs),
        scopeWhere(scope, riskSnapshots.orgId)
      )
    )
    .all();
  const fresh = new Map<string, (typeof snaps)[number]>();
  for (const s of snaps) if ((fresh.get(s.orgId)?.takenAt.getTime() ?? -1) < s.takenAt.getTime()) fresh.set(s.orgId, s);
  const out: RankedOrg[] = [];
  const missing = [];
  for (const o of orgs) {
    const s = fresh.get(o.id);
    if (!s) missing.push(o);
    else
      out.push({
        id: o.id,
        slug: o.slug,
        name: o.name,
        kind: o.kind,
        tier: o.tier,
        score: s.score,
        level: s.level,
        top: s.top,
        overdueRotations: Number(s.overdue ?? 0),
        asOf: s.takenAt,
        ageBins: s.ageBins?.length === AGE_BINS.length ? s.ageBins : null,
        attestation: null,
      });
  }
  for (const r of scoreOrgs(missing, now)) {
    out.push({
      id: r.id,
      slug: r.slug,
      name: r.name,
      kind: r.kind,
      tier: r.tier,
      score: r.risk.score,
      level: r.risk.level,
      top: r.risk.lines[0]?.text ?? null,
      overdueRotations: r.inputs.overdueRotations,
      asOf: null,
      ageBins: null,
      attestation: r.attestation,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
}

export type TrendPoint = { day: string; score: number; level: RiskLevel };

/** The organisation's daily scores over the last `days` days, oldest first (days without a snapshot are absent). */
export function riskTrend(orgId: string, now: Date = new Date(), days = TREND_DAYS): TrendPoint[] {
  const from = dayOf(new Date(now.getTime() - (days - 1) * DAY_MS));
  return getDb()
    .select({
      day: riskSnapshots.day,
      score: riskSnapshots.score,
      level: riskSnapshots.level,
    })
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
    .select({
      day: riskSnapshots.day,
      state: riskSnapshots.attestation,
      n: sql<number>`count(*)`,
    })
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

/**
 * The age chart for the ranked organisations' scope: each one's bins from its snapshot, and live for
 * the credentials of the others (scored live, or offboarded: not ranked). Many of those: one live scan.
 */
export function rankedAgeBins(actor: Actor, ranked: readonly RankedOrg[], now: Date = new Date()): AgeBin[] {
  const scope = scopeFor(actor);
  const offboarded = getDb()
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.status, "offboarded"), scopeWhere(scope, organizations.id)))
    .all()
    .map((o) => o.id);
  const live = [...ranked.filter((r) => !r.ageBins).map((r) => r.id), ...offboarded];
  if (live.length > 200) return credentialAgeBins(scope, now);
  const total = AGE_BINS.map(() => 0);
  for (const r of ranked) r.ageBins?.forEach((n, i) => (total[i] += n));
  if (live.length) credentialAgeBins(scope, now, live).forEach((b, i) => (total[i] += b.count));
  return toAgeBins(total);
}
