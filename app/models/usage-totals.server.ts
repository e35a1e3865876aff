import { and, asc, eq, gte, inArray, lt, sql, type SQLWrapper } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialDailyIps, credentials, credentialUsageDaily, organizations } from "../../db/schema";
import { orgUsageDaily, usageDailyTotals } from "../../db/schema-dashboards";
import { DAY_MS } from "~/domain/credential-policy";
import { claimMark, isMarked, periodMark, prunePeriodMarks } from "./job-marks.server";

// Gateway usage per UTC day, over every credential (usage_daily_totals) and per organisation
// (org_usage_daily). The scheduler stores closed days in both, in one transaction, at most once an hour
// (USAGE_ROLLUP_EVERY_MS), recomputing the last RECOMPUTE_DAYS, which late imports may still change. A
// read takes stored days from there and computes the others (today, or days never rolled up) live:
// through the rollups' day indexes for everything, or the (credential, day) keys for some organisations.

export const RECOMPUTE_DAYS = 3;
export const USAGE_ROLLUP_EVERY_MS = 60 * 60 * 1000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export type DayTotals = {
  day: string;
  requests: number;
  errors: number;
  sources: number;
};

/** Totals for the given days, straight from the per-credential rollups (of only `creds`, when given). */
function computeDays(days: readonly string[], creds?: SQLWrapper): DayTotals[] {
  if (days.length === 0) return [];
  const db = getDb();
  const usage = db
    .select({
      day: credentialUsageDaily.day,
      requests: sql<number>`sum(${credentialUsageDaily.requests})`,
      errors: sql<number>`sum(${credentialUsageDaily.errors})`,
    })
    .from(credentialUsageDaily)
    .where(and(creds ? inArray(credentialUsageDaily.credentialId, creds) : undefined, inArray(credentialUsageDaily.day, [...days])))
    .groupBy(credentialUsageDaily.day)
    .all();
  const sources = db
    .select({
      day: credentialDailyIps.day,
      n: sql<number>`count(distinct ${credentialDailyIps.ip})`,
    })
    .from(credentialDailyIps)
    .where(and(creds ? inArray(credentialDailyIps.credentialId, creds) : undefined, inArray(credentialDailyIps.day, [...days])))
    .groupBy(credentialDailyIps.day)
    .all();
  const out = new Map(days.map((d) => [d, { day: d, requests: 0, errors: 0, sources: 0 }]));
  for (const u of usage)
    Object.assign(out.get(u.day)!, {
      requests: Number(u.requests),
      errors: Number(u.errors),
    });
  for (const s of sources) out.get(s.day)!.sources = s.n;
  return [...out.values()];
}

type OrgDayRow = {
  orgId: string;
  day: string;
  requests: number;
  errors: number;
  sources: number;
  familySources: number | null;
};

/** Per organisation and day: its own credentials' totals, and for each family root (a partner) the distinct sources over the family. */
function computeOrgDays(days: readonly string[]): OrgDayRow[] {
  if (days.length === 0) return [];
  const db = getDb();
  const inDays = (col: typeof credentialUsageDaily.day | typeof credentialDailyIps.day) => inArray(col, [...days]);
  const usage = db
    .select({
      orgId: credentials.orgId,
      day: credentialUsageDaily.day,
      requests: sql<number>`sum(${credentialUsageDaily.requests})`,
      errors: sql<number>`sum(${credentialUsageDaily.errors})`,
    })
    .from(credentialUsageDaily)
    .innerJoin(credentials, eq(credentials.id, credentialUsageDaily.credentialId))
    .where(inDays(credentialUsageDaily.day))
    .groupBy(credentials.orgId, credentialUsageDaily.day)
    .all();
  const own = db
    .select({
      orgId: credentials.orgId,
      day: credentialDailyIps.day,
      n: sql<number>`count(distinct ${credentialDailyIps.ip})`,
    })
    .from(credentialDailyIps)
    .innerJoin(credentials, eq(credentials.id, credentialDailyIps.credentialId))
    .where(inDays(credentialDailyIps.day))
    .groupBy(credentials.orgId, credentialDailyIps.day)
    .all();
  const root = sql<string>`coalesce(${organizations.parentId}, ${organizations.id})`;
  const family = db
    .select({
      orgId: root,
      day: credentialDailyIps.day,
      n: sql<number>`count(distinct ${credentialDailyIps.ip})`,
    })
    .from(credentialDailyIps)
    .innerJoin(credentials, eq(credentials.id, credentialDailyIps.credentialId))
    .innerJoin(organizations, eq(organizations.id, credentials.orgId))
    .where(inDays(credentialDailyIps.day))
    .groupBy(root, credentialDailyIps.day)
    .all();
  const out = new Map<string, OrgDayRow>();
  const row = (orgId: string, day: string) => {
    const k = `${orgId}|${day}`;
    let r = out.get(k);
    if (!r)
      out.set(
        k,
        (r = {
          orgId,
          day,
          requests: 0,
          errors: 0,
          sources: 0,
          familySources: null,
        })
      );
    return r;
  };
  for (const u of usage)
    Object.assign(row(u.orgId, u.day), {
      requests: Number(u.requests),
      errors: Number(u.errors),
    });
  for (const s of own) row(s.orgId, s.day).sources = s.n;
  for (const f of family) row(f.orgId, f.day).familySources = f.n;
  return [...out.values()];
}

/**
 * The scheduler's job: store every closed day of the last `keepDays` not yet stored and recompute the
 * most recent ones, for every credential and per organisation. At most once per USAGE_ROLLUP_EVERY_MS
 * (a job_marks key per hour, written with the totals); `force` runs it regardless (seeding, tests).
 */
export function rollUpUsageTotals(now: Date = new Date(), opts: { keepDays?: number; force?: boolean } = {}): { days: number; skipped?: true } {
  const db = getDb();
  const keepDays = opts.keepDays ?? 90;
  const mark = periodMark("usage-totals", USAGE_ROLLUP_EVERY_MS, now);
  if (!opts.force && isMarked(mark)) return { days: 0, skipped: true };
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const closed = Array.from({ length: keepDays }, (_, i) => dayOf(today - (keepDays - i) * DAY_MS));
  const stored = new Set(
    db
      .select({ day: usageDailyTotals.day })
      .from(usageDailyTotals)
      .where(gte(usageDailyTotals.day, closed[0]))
      .all()
      .map((r) => r.day)
  );
  const recent = new Set(closed.slice(-RECOMPUTE_DAYS));
  const todo = closed.filter((d) => !stored.has(d) || recent.has(d));
  const rows = computeDays(todo);
  const orgRows = computeOrgDays(todo);
  const done = db.transaction((tx) => {
    if (!opts.force && !claimMark(tx, mark, now)) return false; // another process did it
    for (const r of rows) {
      tx.insert(usageDailyTotals)
        .values({ ...r, computedAt: now })
        .onConflictDoUpdate({
          target: usageDailyTotals.day,
          set: {
            requests: r.requests,
            errors: r.errors,
            sources: r.sources,
            computedAt: now,
          },
        })
        .run();
    }
    if (todo.length) tx.delete(orgUsageDaily).where(inArray(orgUsageDaily.day, todo)).run();
    for (const r of orgRows) tx.insert(orgUsageDaily).values({ ...r, computedAt: now }).run();
    tx.delete(orgUsageDaily).where(lt(orgUsageDaily.day, closed[0])).run(); // per-organisation rows (500 a day) are kept for keepDays
    prunePeriodMarks(tx, "usage-totals", now);
    return true;
  });
  return done ? { days: rows.length } : { days: 0, skipped: true };
}

/** Days before today already rolled up (usage_daily_totals and org_usage_daily are written together). */
function storedDays(days: readonly string[], today: string) {
  return getDb()
    .select({
      day: usageDailyTotals.day,
      requests: usageDailyTotals.requests,
      errors: usageDailyTotals.errors,
      sources: usageDailyTotals.sources,
    })
    .from(usageDailyTotals)
    .where(and(gte(usageDailyTotals.day, days[0]), lt(usageDailyTotals.day, today)))
    .orderBy(asc(usageDailyTotals.day))
    .all();
}

/** Every credential's usage per day for `days` (oldest first): stored days from the totals, the rest live. */
export function usageTotals(days: readonly string[], now: Date = new Date()): DayTotals[] {
  const have = new Map(storedDays(days, dayOf(now.getTime())).map((r) => [r.day, r]));
  const live = new Map(computeDays(days.filter((d) => !have.has(d))).map((r) => [r.day, r]));
  return days.map((d) => have.get(d) ?? live.get(d) ?? { day: d, requests: 0, errors: 0, sources: 0 });
}

/**
 * Some organisations' usage per day for `days` (oldest first): stored days from org_usage_daily, the rest
 * (today, days not rolled up yet) live from their credentials' rollups. `family` names a partner whose
 * family (itself and its contractors) `orgIds` is: distinct sources then come from its family count;
 * otherwise they are added up per organisation.
 */
export function orgUsageTotals(days: readonly string[], orgIds: readonly string[], opts: { family?: string; now?: Date } = {}): DayTotals[] {
  const db = getDb();
  const now = opts.now ?? new Date();
  const empty = (day: string): DayTotals => ({
    day,
    requests: 0,
    errors: 0,
    sources: 0,
  });
  if (orgIds.length === 0 || days.length === 0) return days.map(empty);
  const stored = new Set(storedDays(days, dayOf(now.getTime())).map((r) => r.day));
  const sources = opts.family
    ? sql<number>`coalesce(max(case when ${orgUsageDaily.orgId} = ${opts.family} then ${orgUsageDaily.familySources} end), sum(${orgUsageDaily.sources}))`
    : sql<number>`sum(${orgUsageDaily.sources})`;
  const rows = stored.size
    ? db
        .select({
          day: orgUsageDaily.day,
          requests: sql<number>`sum(${orgUsageDaily.requests})`,
          errors: sql<number>`sum(${orgUsageDaily.errors})`,
          sources,
        })
        .from(orgUsageDaily)
        .where(and(inArray(orgUsageDaily.orgId, [...orgIds]), inArray(orgUsageDaily.day, [...stored])))
        .groupBy(orgUsageDaily.day)
        .all()
    : [];
  const out = new Map(days.map((d) => [d, empty(d)]));
  for (const r of rows)
    Object.assign(out.get(r.day)!, {
      requests: Number(r.requests),
      errors: Number(r.errors),
      sources: Number(r.sources),
    });
  const liveDays = days.filter((d) => !stored.has(d));
  if (liveDays.length) {
    const creds = db
      .select({ id: credentials.id })
      .from(credentials)
      .where(inArray(credentials.orgId, [...orgIds]));
    for (const t of computeDays(liveDays, creds)) Object.assign(out.get(t.day)!, t);
  }
  return [...out.values()];
}
