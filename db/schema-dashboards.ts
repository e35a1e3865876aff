import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { RiskInputs, RiskLine } from "../app/domain/risk-score";

// The dashboards area's tables (see db/schema.ts for the conventions). Listed in db/client.ts's schema.

/**
 * One organisation's risk score on one UTC day (the 90-day trend on its page, attestation status over
 * time, and the dashboards' ranking while it is fresh). Written by the scheduler (hourly) and on demand;
 * a later take on the same day replaces it, so a day's row is its last take.
 */
export const riskSnapshots = sqliteTable(
  "risk_snapshots",
  {
    orgId: text("org_id").notNull(),
    day: text("day").notNull(), // YYYY-MM-DD (UTC)
    score: integer("score").notNull(),
    level: text("level", { enum: ["low", "medium", "high", "critical"] }).notNull(),
    attestation: text("attestation", { enum: ["current", "due_soon", "overdue", "missing"] }).notNull(),
    lines: text("lines", { mode: "json" }).$type<RiskLine[]>().notNull(),
    /** The score's inputs (the dashboards read the overdue rotations from here); null in rows written before it was kept. */
    inputs: text("inputs", { mode: "json" }).$type<RiskInputs>(),
    /** Live credentials per age bin (AGE_BINS in app/models/dashboard-charts.server.ts) when taken: the dashboards' age chart. */
    ageBins: text("age_bins", { mode: "json" }).$type<number[]>(),
    takenAt: integer("taken_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] }), index("risk_snapshots_day_idx").on(t.day, t.attestation, t.orgId)],
);

/**
 * Gateway usage over every credential per UTC day (the security dashboard's traffic charts), rolled up
 * by the scheduler from credential_usage_daily and credential_daily_ips, so that a dashboard reads 30
 * rows instead of scanning every credential's days. Recent days are recomputed on each run (late imports).
 */
export const usageDailyTotals = sqliteTable("usage_daily_totals", {
  day: text("day").primaryKey(), // YYYY-MM-DD (UTC)
  requests: integer("requests").notNull(),
  errors: integer("errors").notNull(),
  sources: integer("sources").notNull(), // distinct source IPs that day
  computedAt: integer("computed_at", { mode: "timestamp_ms" }).notNull(),
});

/**
 * Gateway usage per organisation (its own credentials) and UTC day, rolled up by the scheduler like
 * usage_daily_totals, so that a partner's dashboard reads 30 rows per organisation instead of its
 * credentials' days. `familySources` is set on a partner's row: distinct source IPs over the partner and
 * the contractors it sponsors together (its users' tenant scope), which a sum of per-organisation counts
 * would overstate.
 */
export const orgUsageDaily = sqliteTable(
  "org_usage_daily",
  {
    orgId: text("org_id").notNull(),
    day: text("day").notNull(), // YYYY-MM-DD (UTC)
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
    sources: integer("sources").notNull(), // distinct source IPs of the organisation's own credentials
    familySources: integer("family_sources"), // a partner's: over itself and its contractors
    computedAt: integer("computed_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] }), index("org_usage_daily_day_idx").on(t.day)],
);
