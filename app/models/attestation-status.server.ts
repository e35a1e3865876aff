// The contract other areas read an organisation's attestation status through (credential pages, access
// reviews' snapshots, the risk score, dashboards). Issue 4 fills it from the attestations tables.

export type AttestationState = "current" | "due_soon" | "overdue" | "missing";

export type OrgAttestationStatus = {
  state: AttestationState;
  /** The accepted attestation's period end (YYYY-MM-DD), when there is one. */
  currentUntil: string | null;
  /** The open request's due date (YYYY-MM-DD), when there is one. */
  dueDate: string | null;
  /** Gaps (controls answered no or partial) not yet closed. */
  openGaps: number;
};

/** Status per organisation id; an id with no attestation at all is "missing". */
export function attestationStatusFor(orgIds: readonly string[]): Map<string, OrgAttestationStatus> {
  return new Map(orgIds.map((id) => [id, { state: "missing", currentUntil: null, dueDate: null, openGaps: 0 }]));
}
