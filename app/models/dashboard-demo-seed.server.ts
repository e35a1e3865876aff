import { and, inArray } from "drizzle-orm";
import { credentialDailyIps, credentials, credentialUsageDaily, flags } from "../../db/schema";
import { riskSnapshots } from "../../db/schema-dashboards";
import { DAY_MS } from "~/domain/credential-policy";
import { riskLevel } from "~/domain/risk-score";
import type { DemoIds, DemoTx } from "./demo-seed-areas.server";
import { listAllOrgRisks } from "./risk.server";

// The dashboards' demo data: 30 days of gateway usage per live credential (the usage charts), a handful
// of flags over the last weeks (flags over time, most-flagged credentials), and 90 days of risk
// snapshots per organisation (the trend on each organisation's page). Deterministic: a seeded generator.

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const DEMO_FLAGS = [
  { rule: "unknown_model", severity: "high", summary: "Asked for a model name containing an unreleased family token" },
  { rule: "error_burst", severity: "medium", summary: "12 distinct paths answered 404 within two minutes" },
  { rule: "new_source", severity: "low", summary: "First use from a new /24" },
  { rule: "pattern_guessing", severity: "high", summary: "Tried 5 variants of /v1/models/{model}/messages" },
  { rule: "out_of_grant", severity: "medium", summary: "Called an endpoint outside the credential's grant" },
  { rule: "scanner_user_agent", severity: "high", summary: "Requests with a ffuf user agent" },
  { rule: "credential_sharing", severity: "low", summary: "Used from 2 IPs with 2 user agents within 30 minutes" },
  { rule: "unreleased_model", severity: "critical", summary: "Requested an unreleased model by its codename" },
] as const;

export function seedDashboardsDemo(tx: DemoTx, ids: DemoIds) {
  const { now } = ids;
  const rand = rng(20261130);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const live = tx
    .select({ id: credentials.id, orgId: credentials.orgId, issuedAt: credentials.issuedAt })
    .from(credentials)
    .where(and(inArray(credentials.status, ["active", "suspended"]), inArray(credentials.orgId, [...ids.orgIds.values()])))
    .all();

  // Usage: a weekday rhythm, a few errors, one to four source IPs a day.
  for (const c of live) {
    const base = 200 + Math.floor(rand() * 1500);
    for (let d = 29; d >= 0; d--) {
      const dayMs = today - d * DAY_MS;
      if (dayMs < c.issuedAt.getTime()) continue;
      const weekday = new Date(dayMs).getUTCDay();
      const requests = Math.floor(base * (weekday === 0 || weekday === 6 ? 0.3 : 1) * (0.7 + rand() * 0.6));
      const errors = Math.floor(requests * (0.01 + rand() * 0.04));
      const day = new Date(dayMs).toISOString().slice(0, 10);
      tx.insert(credentialUsageDaily).values({ credentialId: c.id, day, requests, errors }).onConflictDoNothing().run();
      const ips = 1 + Math.floor(rand() * 4);
      for (let i = 0; i < ips; i++) tx.insert(credentialDailyIps).values({ credentialId: c.id, day, ip: `198.51.100.${(c.id.charCodeAt(0) + i * 17) % 250}` }).onConflictDoNothing().run();
    }
  }

  // Flags over the last three weeks, resolved when older than a week.
  live.slice(0, DEMO_FLAGS.length * 2).forEach((c, i) => {
    const f = DEMO_FLAGS[i % DEMO_FLAGS.length];
    const at = now.getTime() - Math.floor(rand() * 21 * DAY_MS);
    const old = now.getTime() - at > 7 * DAY_MS;
    tx.insert(flags)
      .values({
        rule: f.rule,
        severity: f.severity,
        credentialId: c.id,
        orgId: c.orgId,
        subjectKey: `cred:${c.id}`,
        status: old ? (i % 3 === 0 ? "false_positive" : "resolved") : i % 2 ? "acknowledged" : "open",
        firstSeen: at,
        lastSeen: at + 20 * 60_000,
        count: 1 + Math.floor(rand() * 8),
        summary: f.summary,
        windowMs: 3_600_000,
        createdAt: new Date(at),
        updatedAt: new Date(at + (old ? 2 : 0) * DAY_MS),
      })
      .run();
  });

  // 90 days of snapshots: today's real score, and a history that drifts towards it.
  for (const r of listAllOrgRisks(now)) {
    const start = Math.min(100, r.risk.score + Math.floor(rand() * 30) - 10);
    for (let d = 89; d >= 0; d--) {
      const t = d / 89;
      const score = d === 0 ? r.risk.score : Math.max(0, Math.min(100, Math.round(start * t + r.risk.score * (1 - t) + (rand() - 0.5) * 6)));
      const day = new Date(today - d * DAY_MS).toISOString().slice(0, 10);
      tx.insert(riskSnapshots)
        .values({ orgId: r.id, day, score, level: riskLevel(score), attestation: r.inputs.attestation, lines: d === 0 ? r.risk.lines : [], takenAt: new Date(today - d * DAY_MS + 3 * 3_600_000) })
        .onConflictDoNothing()
        .run();
    }
  }
}
