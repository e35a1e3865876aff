import { and, count, eq, gt, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, flags, organizations, policies } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import { DEFAULT_POLICIES } from "~/domain/policy";
import { riskScore, type FlagSeverity, type RiskInputs, type RiskScore } from "~/domain/risk-score";
import { attestationStatusFor, type OrgAttestationStatus } from "./attestation-status.server";
import { scopeFor, scopeWhere } from "./scope.server";

// Gathers the risk score's inputs (app/domain/risk-score.ts) for many organisations at once: one
// aggregate over credentials, one over open flags, one over sponsored contractors, and the attestation
// contract. Each query is grouped by organisation, so ranking 500 organisations costs three scans.

export const OPEN_FLAG_STATUSES = ["open", "acknowledged", "escalated"] as const;

const policyDays = (col: typeof policies.maxCredentialAgeDays | typeof policies.unusedThresholdDays, key: "maxCredentialAgeDays" | "unusedThresholdDays") =>
  sql<number>`coalesce(${col}, case ${organizations.tier} when 'restricted' then ${DEFAULT_POLICIES.restricted[key]} else ${DEFAULT_POLICIES.standard[key]} end)`;
const maxAge = policyDays(policies.maxCredentialAgeDays, "maxCredentialAgeDays");
const unusedDays = policyDays(policies.unusedThresholdDays, "unusedThresholdDays");

/** Live = active or suspended and not past its expiry date (the same rule as credentialHygiene). */
export const liveCredential = (now: Date) =>
  and(inArray(credentials.status, ["active", "suspended"]), or(isNull(credentials.expiresAt), gt(credentials.expiresAt, now)));

type OrgRef = { id: string; slug: string; name: string; kind: "partner" | "contractor"; tier: "restricted" | "standard"; status: string };

/**
 * The inputs for the given organisations. Hygiene counts only live credentials. "Never used" counts a
 * credential issued at least the unused threshold ago that has never been seen at the gateway (a key
 * issued yesterday is not a finding yet); "unused" one whose last use is older than the threshold.
 */
export function riskInputsFor(orgs: readonly OrgRef[], now: Date, attestations = attestationStatusFor(orgs.map((o) => o.id))): Map<string, RiskInputs> {
  const db = getDb();
  const ids = orgs.map((o) => o.id);
  const out = new Map<string, RiskInputs>();
  if (ids.length === 0) return out;
  const t = now.getTime();
  // Many organisations: scan everything (grouped) rather than bind hundreds of parameters.
  const byIds = (col: SQLiteColumn) => (ids.length > 200 ? undefined : inArray(col, ids));

  const hygiene = db
    .select({
      orgId: credentials.orgId,
      live: count(),
      overdue: sql<number>`sum(coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt}) + ${maxAge} * ${DAY_MS} <= ${t})`,
      neverUsed: sql<number>`sum(${credentials.lastUsedAt} is null and ${credentials.issuedAt} <= ${t} - ${unusedDays} * ${DAY_MS})`,
      unused: sql<number>`sum(${credentials.lastUsedAt} is not null and ${credentials.lastUsedAt} <= ${t} - ${unusedDays} * ${DAY_MS})`,
      outside: sql<number>`sum(${credentials.storage} <> 'secrets_manager')`,
      shared: sql<number>`sum(exists (select 1 from credential_shares s where s.credential_id = ${credentials.id}))`,
    })
    .from(credentials)
    .innerJoin(organizations, eq(credentials.orgId, organizations.id))
    .leftJoin(policies, eq(policies.tier, organizations.tier))
    .where(and(liveCredential(now), byIds(credentials.orgId)))
    .groupBy(credentials.orgId)
    .all();
  const flagRows = db
    .select({ orgId: flags.orgId, severity: flags.severity, n: count() })
    .from(flags)
    .where(and(inArray(flags.status, [...OPEN_FLAG_STATUSES]), isNotNull(flags.orgId), byIds(flags.orgId)))
    .groupBy(flags.orgId, flags.severity)
    .all();
  const contractorRows = db
    .select({ parentId: organizations.parentId, n: count() })
    .from(organizations)
    .where(and(isNotNull(organizations.parentId), ne(organizations.status, "offboarded"), byIds(organizations.parentId)))
    .groupBy(organizations.parentId)
    .all();

  const h = new Map(hygiene.map((r) => [r.orgId, r]));
  const f = new Map<string, Partial<Record<FlagSeverity, number>>>();
  for (const r of flagRows) f.set(r.orgId!, { ...f.get(r.orgId!), [r.severity]: r.n });
  const c = new Map(contractorRows.map((r) => [r.parentId!, r.n]));
  for (const o of orgs) {
    const row = h.get(o.id);
    const a = attestations.get(o.id);
    out.set(o.id, {
      liveCredentials: row?.live ?? 0,
      overdueRotations: Number(row?.overdue ?? 0),
      neverUsed: Number(row?.neverUsed ?? 0),
      unused: Number(row?.unused ?? 0),
      outsideSecretsManager: Number(row?.outside ?? 0),
      sharedWithContractors: Number(row?.shared ?? 0),
      attestation: a?.state ?? "missing",
      openGaps: a?.openGaps ?? 0,
      openFlags: f.get(o.id) ?? {},
      kind: o.kind,
      contractors: o.kind === "partner" ? c.get(o.id) ?? 0 : 0,
    });
  }
  return out;
}

export type OrgRisk = OrgRef & { risk: RiskScore; inputs: RiskInputs; attestation: OrgAttestationStatus };

/** Every organisation the actor may see (offboarded ones left out), riskiest first. */
export function listOrgRisks(actor: Actor, now = new Date()): OrgRisk[] {
  const orgs = getDb()
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, kind: organizations.kind, tier: organizations.tier, status: organizations.status })
    .from(organizations)
    .where(and(ne(organizations.status, "offboarded"), scopeWhere(scopeFor(actor), organizations.id)))
    .all();
  return scoreOrgs(orgs, now);
}

/** Every organisation but offboarded ones, riskiest first: the scheduler's snapshot (a system view, no actor). */
export function listAllOrgRisks(now = new Date()): OrgRisk[] {
  const orgs = getDb()
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, kind: organizations.kind, tier: organizations.tier, status: organizations.status })
    .from(organizations)
    .where(ne(organizations.status, "offboarded"))
    .all();
  return scoreOrgs(orgs, now);
}

function scoreOrgs(orgs: OrgRef[], now: Date): OrgRisk[] {
  const attestations = attestationStatusFor(orgs.map((o) => o.id));
  const inputs = riskInputsFor(orgs, now, attestations);
  const none: OrgAttestationStatus = { state: "missing", currentUntil: null, dueDate: null, openGaps: 0 };
  return orgs
    .map((o) => {
      const i = inputs.get(o.id)!;
      return { ...o, inputs: i, risk: riskScore(i), attestation: attestations.get(o.id) ?? none };
    })
    .sort((a, b) => b.risk.score - a.risk.score || a.name.localeCompare(b.name));
}

/** One organisation's score, for its page. The caller has already found the organisation in scope. */
export function getOrgRisk(org: OrgRef, now = new Date()): OrgRisk {
  return scoreOrgs([org], now)[0];
}
