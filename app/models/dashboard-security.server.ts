import { and, count, desc, eq, gte, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, flags, logImportKeys, organizations } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import { CHART_DAYS, flagsOverTime, usageOverTime } from "./dashboard-charts.server";
import { untimed, type Timer } from "./dashboard-timing.server";
import { listImports } from "./log-import-history.server";
import { OPEN_FLAG_STATUSES } from "./risk.server";
import { scopeFor, scopeWhere } from "./scope.server";

const SEVERITY_ORDER = sql<number>`case ${flags.severity} when 'critical' then 5 when 'high' then 4 when 'medium' then 3 when 'low' then 2 else 1 end`;

/** Security's landing page: open flags, the health of recent imports, most-flagged credentials, traffic. */
export function securityDashboard(actor: Actor, now = new Date(), time: Timer = untimed) {
  const db = getDb();
  const scope = scopeFor(actor);
  const open = and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), scopeWhere(scope, flags.orgId));
  const bySeverity = time("open_flags", () => db.select({ severity: flags.severity, n: count() }).from(flags).where(open).groupBy(flags.severity).all());
  // group by +rule: the open flags are reached through the status index, not by walking every flag in rule order
  const byRule = time("by_rule", () =>
    db.select({ rule: flags.rule, severity: flags.severity, n: count() }).from(flags).where(open).groupBy(sql`+${flags.rule}`, flags.severity).orderBy(desc(SEVERITY_ORDER), desc(count())).limit(20).all(),
  );

  const imports = time("imports", () => listImports(actor, { page: 1 }, 8).rows);
  const unregistered = imports.length
    ? db
        .select({ importId: logImportKeys.importId, n: count() })
        .from(logImportKeys)
        .where(
          and(
            inArray(
              logImportKeys.importId,
              imports.map((i) => i.id)
            ),
            isNull(logImportKeys.credentialId)
          )
        )
        .groupBy(logImportKeys.importId)
        .all()
    : [];
  const unregisteredBy = new Map(unregistered.map((u) => [u.importId, u.n]));

  const since = now.getTime() - CHART_DAYS * DAY_MS;
  // Aggregate flags per credential first (flags_credential_idx), then name only the top ten.
  const top = db
    .select({
      credentialId: flags.credentialId,
      flags: sql<number>`count(*)`.as("flag_count"),
      open: sql<number>`sum(${flags.status} in ('open', 'acknowledged', 'escalated'))`.as("open_count"),
      worst: sql<number>`max(${SEVERITY_ORDER})`.as("worst"),
      lastSeen: sql<number>`max(${flags.lastSeen})`.as("last_seen_max"),
    })
    .from(flags)
    .where(and(isNotNull(flags.credentialId), gte(flags.lastSeen, since), scopeWhere(scope, flags.orgId)))
    .groupBy(flags.credentialId)
    .orderBy(desc(sql`flag_count`), desc(sql`last_seen_max`))
    .limit(10)
    .as("top");
  const mostFlagged = time("most_flagged", () =>
    db
      .select({
        keyId: credentials.keyId,
        orgSlug: organizations.slug,
        orgName: organizations.name,
        flags: top.flags,
        open: top.open,
        worst: top.worst,
        lastSeen: top.lastSeen,
      })
      .from(top)
      .innerJoin(credentials, eq(top.credentialId, credentials.id))
      .innerJoin(organizations, eq(credentials.orgId, organizations.id))
      .orderBy(desc(top.flags), desc(top.lastSeen))
      .all()
  );

  return {
    openBySeverity: Object.fromEntries(bySeverity.map((r) => [r.severity, r.n])) as Partial<Record<string, number>>,
    openTotal: bySeverity.reduce((s, r) => s + r.n, 0),
    openByRule: byRule,
    imports: imports.map((i) => ({
      ...i,
      unregisteredKeys: unregisteredBy.get(i.id) ?? 0,
    })),
    mostFlagged: mostFlagged.map((m) => ({
      ...m,
      open: Number(m.open),
      worst: SEVERITIES[Number(m.worst ?? 1) - 1],
      lastSeen: m.lastSeen ? new Date(m.lastSeen).toISOString() : null,
    })),
    flagsOverTime: time("flags_over_time", () => flagsOverTime(scope, now)),
    usage: time("usage", () => usageOverTime(scope, now)),
  };
}

const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
