import { and, asc, count, gte, inArray, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialDailyIps, credentials, credentialUsageDaily, flags, organizations } from "../../db/schema";
import { DAY_MS } from "~/domain/credential-policy";
import type { TenantScope } from "~/domain/tenancy";
import type { AgeBin, PolicyLine } from "~/domain/chart-data";
import { liveCredential } from "./risk.server";
import { listPolicies } from "./policy.server";
import { usageTotals } from "./usage-totals.server";
import { scopeWhere } from "./scope.server";

// The dashboards' chart series, each one grouped query within the actor's tenant scope.

export const CHART_DAYS = 30;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `n` UTC days, oldest first, ending today. */
export function lastDays(now: Date, n = CHART_DAYS): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: n }, (_, i) => dayOf(today - (n - 1 - i) * DAY_MS));
}

/** Age bins in days; the policy defaults (30 restricted, 90 standard) fall on bin edges. */
export const AGE_BINS: readonly [number, number | null][] = [
  [0, 15],
  [15, 30],
  [30, 45],
  [45, 60],
  [60, 90],
  [90, 120],
  [120, 180],
  [180, 365],
  [365, null],
];

/** Live credentials in scope by age since issue or last rotation. */
export function credentialAgeBins(scope: TenantScope, now: Date, orgIds?: readonly string[]): AgeBin[] {
  const age = sql<number>`(${now.getTime()} - coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt})) / ${DAY_MS}`;
  const bin = sql<number>`case ${sql.join(
    AGE_BINS.map(([from, to], i) => (to === null ? sql`else ${i}` : sql`when ${age} < ${to} then ${i}`)),
    sql` `,
  )} end`;
  const rows = getDb()
    .select({ bin, n: count() })
    .from(credentials)
    .where(and(liveCredential(now), scopeWhere(scope, credentials.orgId), orgIds ? inArray(credentials.orgId, [...orgIds]) : undefined))
    .groupBy(bin)
    .all();
  const byBin = new Map(rows.map((r) => [Number(r.bin), r.n]));
  return AGE_BINS.map(([from, to], i) => ({ label: to === null ? `${from}+` : `${from}–${to - 1}`, fromDays: from, toDays: to, count: byBin.get(i) ?? 0 }));
}

/** Each tier's maximum credential age (the policy line on the age chart). */
export function policyLines(): PolicyLine[] {
  return listPolicies()
    .map((p) => ({ days: p.maxCredentialAgeDays, label: `${p.tier} maximum` }))
    .sort((a, b) => a.days - b.days);
}

export type SeverityDay = { day: string; critical: number; high: number; medium: number; low: number; info: number };

/** Flags first seen on each of the last `n` days, by severity (every status: what detection found). */
export function flagsOverTime(scope: TenantScope, now: Date, n = CHART_DAYS): SeverityDay[] {
  const days = lastDays(now, n);
  const from = Date.parse(`${days[0]}T00:00:00Z`);
  const day = sql<string>`strftime('%Y-%m-%d', ${flags.firstSeen} / 1000, 'unixepoch')`;
  const rows = getDb()
    .select({ day, severity: flags.severity, n: count() })
    .from(flags)
    .where(and(gte(flags.firstSeen, from), scopeWhere(scope, flags.orgId)))
    .groupBy(day, flags.severity)
    .all();
  const out = new Map(days.map((d) => [d, { day: d, critical: 0, high: 0, medium: 0, low: 0, info: 0 } as SeverityDay]));
  for (const r of rows) {
    const d = out.get(r.day);
    if (d) d[r.severity] = r.n;
  }
  return [...out.values()];
}

/**
 * `day >= from` with a unary + so that SQLite does not pick the day index: narrowed to some credentials,
 * the (credential, day) primary key is the way in (the day index would read every credential's days).
 */
const notIndexed = (col: typeof credentialUsageDaily.day | typeof credentialDailyIps.day, from: string) => sql`+${col} >= ${from}`;

export type UsageDay = { day: string; requests: number; errors: number; sources: number };

/**
 * Requests, errors and distinct source IPs per day over the last `n` days, from the daily rollups
 * (kept after raw events are purged). `orgIds` narrows to some organisations within the scope.
 */
export function usageOverTime(scope: TenantScope, now: Date, opts: { days?: number; orgIds?: readonly string[] } = {}): UsageDay[] {
  const db = getDb();
  const days = lastDays(now, opts.days ?? CHART_DAYS);
  const narrow = !scope.all || opts.orgIds !== undefined;
  if (!narrow) return usageTotals(days, now); // every credential: the daily totals
  const credIn = (col: typeof credentialUsageDaily.credentialId | typeof credentialDailyIps.credentialId) =>
    narrow
      ? inArray(
          col,
          db
            .select({ id: credentials.id })
            .from(credentials)
            .where(and(scopeWhere(scope, credentials.orgId), opts.orgIds ? inArray(credentials.orgId, [...opts.orgIds]) : undefined)),
        )
      : undefined;
  const usage = db
    .select({ day: credentialUsageDaily.day, requests: sql<number>`sum(${credentialUsageDaily.requests})`, errors: sql<number>`sum(${credentialUsageDaily.errors})` })
    .from(credentialUsageDaily)
    .where(and(notIndexed(credentialUsageDaily.day, days[0]), credIn(credentialUsageDaily.credentialId)))
    .groupBy(credentialUsageDaily.day)
    .all();
  const sources = db
    .select({ day: credentialDailyIps.day, n: sql<number>`count(distinct ${credentialDailyIps.ip})` })
    .from(credentialDailyIps)
    .where(and(notIndexed(credentialDailyIps.day, days[0]), credIn(credentialDailyIps.credentialId)))
    .groupBy(credentialDailyIps.day)
    .all();
  const out = new Map(days.map((d) => [d, { day: d, requests: 0, errors: 0, sources: 0 }]));
  for (const u of usage) {
    const d = out.get(u.day);
    if (d) Object.assign(d, { requests: Number(u.requests), errors: Number(u.errors) });
  }
  for (const s of sources) {
    const d = out.get(s.day);
    if (d) d.sources = s.n;
  }
  return [...out.values()];
}

/** Organisation ids in scope (for contracts keyed by organisation). */
export function orgIdsIn(scope: TenantScope): string[] {
  if (!scope.all) return scope.orgIds;
  return getDb().select({ id: organizations.id }).from(organizations).orderBy(asc(organizations.name)).all().map((r) => r.id);
}
