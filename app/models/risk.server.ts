import { and, count, eq, gt, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, credentialShares, flags, organizations } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { DAY_MS } from "~/domain/credential-policy";
import { riskScore, type FlagSeverity, type RiskInputs, type RiskScore } from "~/domain/risk-score";
import { attestationStatusFor, type OrgAttestationStatus } from "./attestation-status.server";
import { listPolicies } from "./policy.server";
import { scopeFor, scopeWhere } from "./scope.server";

// Gathers the risk score's inputs (app/domain/risk-score.ts) for many organisations at once: one
// aggregate over credentials, one over open flags, one over sponsored contractors, and the attestation
// contract. Each query is grouped by organisation, so ranking 500 organisations costs three scans.

export const OPEN_FLAG_STATUSES = ["open", "acknowledged", "escalated"] as const;

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

  // One scan of credentials without a join: each tier's thresholds come in as constants, the tier
  // through a once-evaluated list of restricted organisations.
  const tiers = new Map(listPolicies().map((p) => [p.tier, p]));
  const restricted = sql`${credentials.orgId} in (select ${organizations.id} from ${organizations} where ${organizations.tier} = 'restricted')`;
  const perTier = (key: "maxCredentialAgeDays" | "unusedThresholdDays") =>
    sql<number>`(case when ${restricted} then ${tiers.get("restricted")![key] * DAY_MS} else ${tiers.get("standard")![key] * DAY_MS} end)`;
  const maxAgeMs = perTier("maxCredentialAgeDays");
  const unusedMs = perTier("unusedThresholdDays");
  const hygiene = db
    .select({
      orgId: credentials.orgId,
      live: count(),
      overdue: sql<number>`sum(coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt}) + ${maxAgeMs} <= ${t})`,
      neverUsed: sql<number>`sum(${credentials.lastUsedAt} is null and ${credentials.issuedAt} <= ${t} - ${unusedMs})`,
      unused: sql<number>`sum(${credentials.lastUsedAt} is not null and ${credentials.lastUsedAt} <= ${t} - ${unusedMs})`,
      outside: sql<number>`sum(${credentials.storage} <> 'secrets_manager')`,
    })
    .from(credentials)
    .where(and(liveCredential(now), byIds(credentials.orgId)))
    .groupBy(credentials.orgId)
    .all();
  // Shared live credentials per organisation: from the (few) shares, not a lookup per credential.
  const sharedRows = db
    .select({ orgId: credentials.orgId, n: sql<number>`count(distinct ${credentialShares.credentialId})` })
    .from(credentialShares)
    .innerJoin(credentials, eq(credentialShares.credentialId, credentials.id))
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
  const shared = new Map(sharedRows.map((r) => [r.orgId, r.n]));
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
      sharedWithContractors: shared.get(o.id) ?? 0,
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

/** Scores the given organisations live, riskiest first. */
export function scoreOrgs(orgs: OrgRef[], now: Date): OrgRisk[] {
  if (orgs.length === 0) return [];
  const attestations = attestationStatusFor(orgs.map((o) => o.id), now);
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
