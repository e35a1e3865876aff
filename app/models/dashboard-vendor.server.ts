import type { Actor } from "~/domain/actor";
import { attestationStatusAt, attestationStatusFor, type OrgAttestationStatus } from "./attestation-status.server";
import { openCampaignProgress } from "./campaign-progress.server";
import { policyLines } from "./dashboard-charts.server";
import { untimed, type Timer } from "./dashboard-timing.server";
import { attestationStatusOverTime, rankedAgeBins, rankOrgRisks, type RankedOrg } from "./risk-snapshot.server";
import { listAwaitingApproval } from "./organization.server";
import { scopeFor } from "./scope.server";

export const RANKED = 15;

/**
 * The vendor manager's landing page: who is riskiest (from the hourly snapshots, see rankOrgRisks), what
 * is outstanding (attestations live, from their contract), what waits for approval.
 */
export function vendorDashboard(actor: Actor, now = new Date(), time: Timer = untimed) {
  const scope = scopeFor(actor);
  const risks = time("rank", () => rankOrgRisks(actor, now));
  const status = time("attestations", () => rankedAttestationStatus(risks, now));
  const withStatus = risks.map((r) => ({
    ...r,
    attestation: status.get(r.id)!,
  }));
  const outstanding = withStatus
    .filter((r) => r.attestation.state !== "current")
    .sort((a, b) => rankAttestation(a.attestation.state) - rankAttestation(b.attestation.state) || a.name.localeCompare(b.name));
  const overdue = risks.filter((r) => r.overdueRotations > 0).sort((a, b) => b.overdueRotations - a.overdueRotations);
  return {
    ranked: risks.slice(0, RANKED).map(rankedRow),
    orgCount: risks.length,
    asOf: oldestAsOf(risks),
    levels: countBy(risks.map((r) => r.level)),
    attestations: {
      counts: countBy(withStatus.map((r) => r.attestation.state)),
      outstanding: outstanding.slice(0, 10).map((r) => ({
        slug: r.slug,
        name: r.name,
        state: r.attestation.state,
        dueDate: r.attestation.dueDate,
        openGaps: r.attestation.openGaps,
      })),
      total: outstanding.length,
    },
    rotations: {
      overdue: overdue.reduce((s, r) => s + r.overdueRotations, 0),
      orgs: overdue.slice(0, 10).map((r) => ({
        slug: r.slug,
        name: r.name,
        overdue: r.overdueRotations,
      })),
      orgCount: overdue.length,
    },
    campaigns: time("campaigns", () => openCampaignProgress()),
    awaitingContractors: time("contractors", () =>
      listAwaitingApproval(actor)
        .filter((o) => o.kind === "contractor")
        .map((o) => ({ slug: o.slug, name: o.name, parentName: o.parentName }))
    ),
    ageBins: time("ages", () => rankedAgeBins(actor, risks, now)),
    policyLines: policyLines(),
    attestationHistory: time("attestation_history", () => attestationStatusOverTime(scope, now)),
  };
}

/** A ranked organisation as the tables show it. */
export const rankedRow = (r: RankedOrg) => ({
  slug: r.slug,
  name: r.name,
  kind: r.kind,
  tier: r.tier,
  score: r.score,
  level: r.level,
  top: r.top,
});

/**
 * Each ranked organisation's attestation status at `now`: queried for those ranked from a snapshot, and
 * for those scored live taken from what their score already read (one query per request, not two).
 */
export function rankedAttestationStatus(risks: readonly RankedOrg[], now: Date): Map<string, OrgAttestationStatus> {
  const out = attestationStatusFor(
    risks.filter((r) => r.attestation === null).map((r) => r.id),
    now
  );
  for (const r of risks) if (r.attestation !== null) out.set(r.id, attestationStatusAt(r.attestation, now));
  return out;
}

/** The oldest snapshot time among the ranked (null when every score is live): "scores as of". */
export function oldestAsOf(risks: readonly RankedOrg[]): string | null {
  let oldest: number | null = null;
  for (const r of risks) if (r.asOf && (oldest === null || r.asOf.getTime() < oldest)) oldest = r.asOf.getTime();
  return oldest === null ? null : new Date(oldest).toISOString();
}

const ATTESTATION_URGENCY = {
  overdue: 0,
  missing: 1,
  due_soon: 2,
  current: 3,
} as const;
const rankAttestation = (s: keyof typeof ATTESTATION_URGENCY) => ATTESTATION_URGENCY[s];

export function countBy<K extends string>(keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
