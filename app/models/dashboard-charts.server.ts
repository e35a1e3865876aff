import { and, asc, count, gte, inArray, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, flags, organizations } from "../../db/schema";
import { DAY_MS } from "~/domain/credential-policy";
import type { TenantScope } from "~/domain/tenancy";
import type { AgeBin, PolicyLine } from "~/domain/chart-data";
import { liveCredential } from "./risk.server";
import { listPolicies } from "./policy.server";
import { orgUsageTotals, usageTotals } from "./usage-totals.server";
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

/** The bin a credential `days` old falls in. */
function binOf(days: number): number {
  let i = 0;
  while (i < AGE_BINS.length - 1 && days >= AGE_BINS[i][1]!) i++;
  return i;
}

/** Bin counts (in AGE_BINS order) as the chart's bins. */
export function toAgeBins(counts: readonly number[]): AgeBin[] {
  return AGE_BINS.map(([from, to], i) => ({ label: to === null ? `${from}+` : `${from}–${to - 1}`, fromDays: from, toDays: to, count: counts[i] ?? 0 }));
}

/**
 * Live credentials' bin counts per organisation (the risk snapshot keeps them). The ages are binned
 * here: reading one integer per credential is several times cheaper than grouping by an expression in
 * SQLite (a temporary B-tree over 20,000 rows).
 */
export function ageBinCounts(now: Date, where?: SQL): Map<string, number[]> {
  const rows = getDb()
    .select({ orgId: credentials.orgId, since: sql<number>`coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt})` })
    .from(credentials)
    .where(and(liveCredential(now), where))
    .values();
  const out = new Map<string, number[]>();
  const t = now.getTime();
  for (const [orgId, since] of rows) {
    let counts = out.get(orgId);
    if (!counts) out.set(orgId, (counts = AGE_BINS.map(() => 0)));
    counts[binOf(Math.floor((t - since) / DAY_MS))]++;
  }
  return out;
}

/** Live credentials in scope (narrowed to `orgIds` if given) by age since issue or last rotation. Their sum is the live count. */
export function credentialAgeBins(scope: TenantScope, now: Date, orgIds?: readonly string[]): AgeBin[] {
  const total = AGE_BINS.map(() => 0);
  for (const counts of ageBinCounts(now, and(scopeWhere(scope, credentials.orgId), orgIds ? inArray(credentials.orgId, [...orgIds]) : undefined)).values()) counts.forEach((n, i) => (total[i] += n));
  return toAgeBins(total);
}

/** Each tier's maximum credential age (the policy line on the age chart). */
export function policyLines(): PolicyLine[] {
  return listPolicies()
    .map((p) => ({ days: p.maxCredentialAgeDays, label: `${p.tier} maximum` }))
    .sort((a, b) => a.days - b.days);
}

export type SeverityDay = {
  day: string;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
};

/** Flags first seen on each of the last `n` days, by severity (every status: what detection found). */
export function flagsOverTime(scope: TenantScope, now: Date, n = CHART_DAYS): SeverityDay[] {
  const days = lastDays(now, n);
  const from = Date.parse(`${days[0]}T00:00:00Z`);
  const day = sql<number>`${flags.firstSeen} / ${sql.raw(String(DAY_MS))}`; // whole UTC days since the epoch (an integer literal: a bound JS number would divide as a real)
  const rows = getDb()
    .select({ day, severity: flags.severity, n: count() })
    .from(flags)
    .where(and(gte(flags.firstSeen, from), scopeWhere(scope, flags.orgId)))
    .groupBy(day, flags.severity)
    .all();
  const out = new Map(
    days.map((d) => [
      d,
      {
        day: d,
        critical: 0,
        high: 0,
        medium: 0,
        low: 0,
        info: 0,
      } as SeverityDay,
    ])
  );
  for (const r of rows) {
    const d = out.get(new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10));
    if (d) d[r.severity] = r.n;
  }
  return [...out.values()];
}

export type UsageDay = {
  day: string;
  requests: number;
  errors: number;
  sources: number;
};

/**
 * Requests, errors and distinct source IPs per day over the last `n` days, from the daily totals the
 * scheduler rolls up (today and days not rolled up yet live). `orgIds` narrows to some organisations
 * within the scope; `family` (a partner's id, when they are its family) counts distinct sources over
 * the family rather than adding up each organisation's.
 */
export function usageOverTime(scope: TenantScope, now: Date, opts: { days?: number; orgIds?: readonly string[]; family?: string } = {}): UsageDay[] {
  const days = lastDays(now, opts.days ?? CHART_DAYS);
  if (scope.all && opts.orgIds === undefined) return usageTotals(days, now); // every credential
  const orgIds = (opts.orgIds ?? (scope.all ? [] : scope.orgIds)).filter((id) => scope.all || scope.orgIds.includes(id));
  return orgUsageTotals(days, orgIds, { family: opts.family, now });
}

/** Organisation ids in scope (for contracts keyed by organisation). */
export function orgIdsIn(scope: TenantScope): string[] {
  if (!scope.all) return scope.orgIds;
  return getDb()
    .select({ id: organizations.id })
    .from(organizations)
    .orderBy(asc(organizations.name))
    .all()
    .map((r) => r.id);
}
