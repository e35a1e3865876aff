import { and, asc, gte, inArray, lt, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialDailyIps, credentialUsageDaily } from "../../db/schema";
import { usageDailyTotals } from "../../db/schema-dashboards";
import { DAY_MS } from "~/domain/credential-policy";

// Gateway usage over every credential per UTC day. The scheduler stores closed days in
// usage_daily_totals (recomputing the last RECOMPUTE_DAYS, which late imports may still change); a read
// takes stored days from there and computes the others (today, or days never rolled up) live, through
// the rollups' day indexes.

export const RECOMPUTE_DAYS = 3;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export type DayTotals = { day: string; requests: number; errors: number; sources: number };

/** Totals for the given days, straight from the per-credential rollups. */
function computeDays(days: readonly string[]): DayTotals[] {
  if (days.length === 0) return [];
  const db = getDb();
  const usage = db
    .select({ day: credentialUsageDaily.day, requests: sql<number>`sum(${credentialUsageDaily.requests})`, errors: sql<number>`sum(${credentialUsageDaily.errors})` })
    .from(credentialUsageDaily)
    .where(inArray(credentialUsageDaily.day, [...days]))
    .groupBy(credentialUsageDaily.day)
    .all();
  const sources = db
    .select({ day: credentialDailyIps.day, n: sql<number>`count(distinct ${credentialDailyIps.ip})` })
    .from(credentialDailyIps)
    .where(inArray(credentialDailyIps.day, [...days]))
    .groupBy(credentialDailyIps.day)
    .all();
  const out = new Map(days.map((d) => [d, { day: d, requests: 0, errors: 0, sources: 0 }]));
  for (const u of usage) Object.assign(out.get(u.day)!, { requests: Number(u.requests), errors: Number(u.errors) });
  for (const s of sources) out.get(s.day)!.sources = s.n;
  return [...out.values()];
}

/** The scheduler's job: store every closed day of the last `keepDays` not yet stored, and recompute the most recent ones. */
export function rollUpUsageTotals(now: Date = new Date(), keepDays = 90): { days: number } {
  const db = getDb();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const closed = Array.from({ length: keepDays }, (_, i) => dayOf(today - (keepDays - i) * DAY_MS));
  const stored = new Set(db.select({ day: usageDailyTotals.day }).from(usageDailyTotals).where(gte(usageDailyTotals.day, closed[0])).all().map((r) => r.day));
  const recent = new Set(closed.slice(-RECOMPUTE_DAYS));
  const todo = closed.filter((d) => !stored.has(d) || recent.has(d));
  const rows = computeDays(todo);
  db.transaction((tx) => {
    for (const r of rows) {
      tx.insert(usageDailyTotals)
        .values({ ...r, computedAt: now })
        .onConflictDoUpdate({ target: usageDailyTotals.day, set: { requests: r.requests, errors: r.errors, sources: r.sources, computedAt: now } })
        .run();
    }
  });
  return { days: rows.length };
}

/** Every credential's usage per day for `days` (oldest first): stored days from the totals, the rest live. */
export function usageTotals(days: readonly string[], now: Date = new Date()): DayTotals[] {
  const today = dayOf(now.getTime());
  const stored = getDb()
    .select({ day: usageDailyTotals.day, requests: usageDailyTotals.requests, errors: usageDailyTotals.errors, sources: usageDailyTotals.sources })
    .from(usageDailyTotals)
    .where(and(gte(usageDailyTotals.day, days[0]), lt(usageDailyTotals.day, today)))
    .orderBy(asc(usageDailyTotals.day))
    .all();
  const have = new Map(stored.map((r) => [r.day, r]));
  const live = new Map(computeDays(days.filter((d) => !have.has(d))).map((r) => [r.day, r]));
  return days.map((d) => have.get(d) ?? live.get(d) ?? { day: d, requests: 0, errors: 0, sources: 0 });
}
