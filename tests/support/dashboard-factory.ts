import { getDb } from "../../db/client";
import { credentialDailyIps, credentialUsageDaily, flags, logImportKeys, logImports } from "../../db/schema";

// Test data for the dashboards: flags, daily usage and imports, written straight to their tables.

export function createFlag(f: { rule?: string; severity?: "info" | "low" | "medium" | "high" | "critical"; credentialId?: string | null; orgId?: string | null; status?: "open" | "acknowledged" | "escalated" | "resolved" | "false_positive"; at?: Date; summary?: string; srcIp?: string | null }) {
  const at = (f.at ?? new Date()).getTime();
  const row = {
    id: crypto.randomUUID(),
    rule: f.rule ?? "error_burst",
    severity: f.severity ?? "medium",
    credentialId: f.credentialId ?? null,
    orgId: f.orgId ?? null,
    srcIp: f.srcIp ?? null,
    subjectKey: f.credentialId ? `cred:${f.credentialId}` : `ip:${f.srcIp ?? "192.0.2.1"}`,
    status: f.status ?? "open",
    firstSeen: at,
    lastSeen: at,
    count: 1,
    summary: f.summary ?? "Test finding",
    windowMs: 3_600_000,
  };
  getDb().insert(flags).values(row).run();
  return row;
}

export function recordUsage(credentialId: string, day: string, requests: number, errors: number, ips: string[] = []) {
  const db = getDb();
  db.insert(credentialUsageDaily).values({ credentialId, day, requests, errors }).run();
  for (const ip of ips) db.insert(credentialDailyIps).values({ credentialId, day, ip }).run();
}

export function createLogImport(o: { source?: string; rejected?: number; secretsStripped?: number; unregistered?: string[] } = {}) {
  const id = crypto.randomUUID();
  const db = getDb();
  db.insert(logImports)
    .values({ id, source: o.source ?? "gateway-test", format: "jsonl", via: "cli", status: "completed", lines: 100, parsed: 100 - (o.rejected ?? 0), rejected: o.rejected ?? 0, secretsStripped: o.secretsStripped ?? 0, finishedAt: new Date() })
    .run();
  for (const k of o.unregistered ?? []) db.insert(logImportKeys).values({ importId: id, keyRef: k, credentialId: null, events: 1, successes: 0, firstSeen: Date.now(), lastSeen: Date.now() }).run();
  return { id };
}
