import type { Actor } from "~/domain/actor";
import { openCampaignProgress } from "./campaign-progress.server";
import { credentialAgeBins, policyLines } from "./dashboard-charts.server";
import { listOrgRisks } from "./risk.server";
import { attestationStatusOverTime } from "./risk-snapshot.server";
import { listAwaitingApproval } from "./organization.server";
import { scopeFor } from "./scope.server";

const RANKED = 15;

/** The vendor manager's landing page: who is riskiest, what is outstanding, what waits for approval. */
export function vendorDashboard(actor: Actor, now = new Date()) {
  const scope = scopeFor(actor);
  const risks = listOrgRisks(actor, now);
  const outstanding = risks
    .filter((r) => r.attestation.state !== "current")
    .sort((a, b) => rankAttestation(a.attestation.state) - rankAttestation(b.attestation.state) || a.name.localeCompare(b.name));
  const overdue = risks.filter((r) => r.inputs.overdueRotations > 0).sort((a, b) => b.inputs.overdueRotations - a.inputs.overdueRotations);
  return {
    ranked: risks.slice(0, RANKED).map((r) => ({ slug: r.slug, name: r.name, kind: r.kind, tier: r.tier, score: r.risk.score, level: r.risk.level, top: r.risk.lines[0]?.text ?? null })),
    orgCount: risks.length,
    levels: countBy(risks.map((r) => r.risk.level)),
    attestations: {
      counts: countBy(risks.map((r) => r.attestation.state)),
      outstanding: outstanding.slice(0, 10).map((r) => ({ slug: r.slug, name: r.name, state: r.attestation.state, dueDate: r.attestation.dueDate, openGaps: r.attestation.openGaps })),
      total: outstanding.length,
    },
    rotations: {
      overdue: overdue.reduce((s, r) => s + r.inputs.overdueRotations, 0),
      orgs: overdue.slice(0, 10).map((r) => ({ slug: r.slug, name: r.name, overdue: r.inputs.overdueRotations })),
      orgCount: overdue.length,
    },
    campaigns: openCampaignProgress(),
    awaitingContractors: listAwaitingApproval(actor).filter((o) => o.kind === "contractor").map((o) => ({ slug: o.slug, name: o.name, parentName: o.parentName })),
    ageBins: credentialAgeBins(scope, now),
    policyLines: policyLines(),
    attestationHistory: attestationStatusOverTime(scope, now),
  };
}

const ATTESTATION_URGENCY = { overdue: 0, missing: 1, due_soon: 2, current: 3 } as const;
const rankAttestation = (s: keyof typeof ATTESTATION_URGENCY) => ATTESTATION_URGENCY[s];

export function countBy<K extends string>(keys: readonly K[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}
