import { and, asc, eq, gte, lt, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { auditLog, credentialRotations, credentials, flags, organizations } from "../../db/schema";
import { csvCell } from "./credential-inventory.server";
import { listCredentialReport } from "./credential-report.server";
import { ORG_SUMMARY_COLUMNS } from "./organization.server";
import { getOrgRisk, listAllOrgRisks } from "./risk.server";

// The evidence pack's sections. Each producer takes the period ([from, to) in UTC) and optionally one
// organisation, and returns files; with an organisation it returns ONLY that organisation's rows (the
// tenant boundary of a pack). Other areas add theirs with the same signature (attestationEvidenceFiles,
// campaignEvidenceFiles) in EVIDENCE_SECTIONS (evidence-pack.server.ts).

export type EvidenceRange = { from: Date; to: Date; orgId?: string };
export type EvidenceFile = { path: string; content: string };
export type EvidenceSection = (range: EvidenceRange) => EvidenceFile[];

/** Rows of objects as CSV with the given columns (objects as JSON), CRLF line ends. */
export function toCsv<T extends Record<string, unknown>>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  const cell = (v: unknown) => csvCell(v == null ? null : v instanceof Date ? v.toISOString() : typeof v === "object" ? JSON.stringify(v) : String(v));
  return [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}

/** `<name>.csv` and `<name>.json` for one section's rows. */
export function csvAndJson<T extends Record<string, unknown>>(name: string, columns: readonly (keyof T & string)[], rows: readonly T[]): EvidenceFile[] {
  return [
    { path: `${name}.csv`, content: toCsv(columns, rows) },
    { path: `${name}.json`, content: `${JSON.stringify(rows, null, 2)}\n` },
  ];
}

const iso = (ms: number | Date | null) => (ms == null ? null : new Date(ms).toISOString());
const orgSlug = (orgId: string) => getDb().select({ slug: organizations.slug }).from(organizations).where(eq(organizations.id, orgId)).get()?.slug;

/** The credential inventory (AWS credential-report style) as it stands, for credentials issued before the period's end. */
export const inventorySection: EvidenceSection = (range) => {
  const slug = range.orgId ? orgSlug(range.orgId) : undefined;
  if (range.orgId && !slug) return csvAndJson("inventory", INVENTORY_COLUMNS, []);
  const rows = (listCredentialReport(slug ? { orgSlug: slug } : {}) ?? []).filter((r) => Date.parse(r.issuedAt) < range.to.getTime());
  return csvAndJson(
    "inventory",
    INVENTORY_COLUMNS,
    rows.map((r) => ({ ...r, grant: r.grant.join(";"), endpoints: r.endpoints.join(";"), sharedWith: r.sharedWith.join(";") })),
  );
};
const INVENTORY_COLUMNS = [
  "keyId", "org", "label", "holder", "status", "grant", "endpoints", "environment", "storage", "sharedWith", "issuedAt", "lastRotatedAt",
  "ageDays", "maxAgeDays", "rotationState", "rotationDueAt", "usageState", "expiresAt", "lastUsedAt", "lastUsedIp",
] as const;

/** Rotations carried out in the period. */
export const rotationsSection: EvidenceSection = (range) => {
  const rows = getDb()
    .select({
      keyId: credentials.keyId,
      org: organizations.slug,
      oldKeyId: credentialRotations.oldKeyId,
      newKeyId: credentialRotations.newKeyId,
      rotatedAt: credentialRotations.rotatedAt,
      graceEndsAt: credentialRotations.graceEndsAt,
    })
    .from(credentialRotations)
    .innerJoin(credentials, eq(credentialRotations.credentialId, credentials.id))
    .innerJoin(organizations, eq(credentials.orgId, organizations.id))
    .where(and(gte(credentialRotations.rotatedAt, range.from), lt(credentialRotations.rotatedAt, range.to), range.orgId ? eq(credentials.orgId, range.orgId) : undefined))
    .orderBy(asc(credentialRotations.rotatedAt))
    .all()
    .map((r) => ({ ...r, rotatedAt: iso(r.rotatedAt), graceEndsAt: iso(r.graceEndsAt) }));
  return csvAndJson("rotations", ["keyId", "org", "oldKeyId", "newKeyId", "rotatedAt", "graceEndsAt"], rows);
};

/** Flags active in the period (first seen before its end, last seen after its start) and where each stands (its resolution). */
export const flagsSection: EvidenceSection = (range) => {
  const cred = alias(credentials, "cred");
  const rows = getDb()
    .select({
      id: flags.id,
      rule: flags.rule,
      severity: flags.severity,
      status: flags.status,
      keyId: cred.keyId,
      keyRef: flags.keyRef,
      org: organizations.slug,
      srcIp: flags.srcIp,
      count: flags.count,
      firstSeen: flags.firstSeen,
      lastSeen: flags.lastSeen,
      summary: flags.summary,
      updatedAt: flags.updatedAt,
    })
    .from(flags)
    .leftJoin(cred, eq(flags.credentialId, cred.id))
    .leftJoin(organizations, eq(flags.orgId, organizations.id))
    .where(and(lt(flags.firstSeen, range.to.getTime()), gte(flags.lastSeen, range.from.getTime()), range.orgId ? eq(flags.orgId, range.orgId) : undefined))
    .orderBy(asc(flags.firstSeen), asc(flags.id))
    .all()
    .map((r) => ({ ...r, firstSeen: iso(r.firstSeen), lastSeen: iso(r.lastSeen), statusSince: iso(r.updatedAt), resolved: r.status === "resolved" || r.status === "false_positive" }));
  return csvAndJson("flags", ["id", "rule", "severity", "status", "resolved", "statusSince", "keyId", "keyRef", "org", "srcIp", "count", "firstSeen", "lastSeen", "summary"], rows);
};

/** The audit log's entries in the period, with their chain hashes (for one organisation: the entries about it). */
export const auditSection: EvidenceSection = (range) => {
  const conds: (SQL | undefined)[] = [gte(auditLog.at, range.from), lt(auditLog.at, range.to)];
  if (range.orgId) conds.push(eq(auditLog.orgId, range.orgId));
  const rows = getDb()
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(asc(auditLog.id))
    .all()
    .map((r) => ({ id: r.id, at: iso(r.at), actorEmail: r.actorEmail, action: r.action, targetType: r.targetType, targetId: r.targetId, orgId: r.orgId, details: r.details, ip: r.ip, prevHash: r.prevHash, hash: r.hash }));
  return csvAndJson("audit-log", ["id", "at", "actorEmail", "action", "targetType", "targetId", "orgId", "details", "ip", "prevHash", "hash"], rows);
};

/** The organisations (or the one) with their agreement and today's risk score. */
export const orgsSection: EvidenceSection = (range) => {
  const parent = alias(organizations, "parent");
  const rows = getDb()
    .select({
      ...ORG_SUMMARY_COLUMNS,
      parent: parent.slug,
      agreementStart: organizations.agreementStart,
      agreementEnd: organizations.agreementEnd,
      createdAt: organizations.createdAt,
    })
    .from(organizations)
    .leftJoin(parent, eq(organizations.parentId, parent.id))
    .where(range.orgId ? eq(organizations.id, range.orgId) : undefined)
    .orderBy(asc(organizations.slug))
    .all();
  const risks = new Map((range.orgId ? rows.map((o) => getOrgRisk(o)) : listAllOrgRisks()).map((r) => [r.id, r.risk]));
  const out = rows.map(({ id, ...o }) => {
    const risk = risks.get(id); // none for an offboarded organisation
    return { ...o, createdAt: iso(o.createdAt), riskScore: risk?.score ?? null, riskLevel: risk?.level ?? null, riskLines: risk?.lines.map((l) => `+${l.points}: ${l.text}`).join("; ") ?? null };
  });
  return csvAndJson("organisations", ["slug", "name", "kind", "tier", "status", "parent", "agreementStart", "agreementEnd", "createdAt", "riskScore", "riskLevel", "riskLines"], out);
};
