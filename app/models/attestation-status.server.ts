import { and, eq, inArray, max, ne, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { attestationGaps, attestations } from "../../db/schema-attestations";
import { attestationState, type AttestationState } from "~/domain/attestation-schedule";

// The contract other areas read an organisation's attestation status through (credential pages, access
// reviews' snapshots, the risk score, dashboards). Filled from the attestations tables (issue 4).

export type { AttestationState };

export type OrgAttestationStatus = {
  state: AttestationState;
  /** The accepted attestation's period end (YYYY-MM-DD), when there is one. */
  currentUntil: string | null;
  /** The open request's due date (YYYY-MM-DD), when there is one. */
  dueDate: string | null;
  /** Gaps (controls answered no or partial) not yet closed. */
  openGaps: number;
};

const OPEN = ["requested", "in_progress", "submitted", "clarification"] as const;

/** Status per organisation id; an id with no attestation at all is "missing". */
export function attestationStatusFor(orgIds: readonly string[], now: Date = new Date()): Map<string, OrgAttestationStatus> {
  const out = new Map<string, OrgAttestationStatus>();
  if (orgIds.length === 0) return out;
  const db = getDb();
  const ids = [...new Set(orgIds)];
  const accepted = new Map<string, string>();
  const open = new Map<string, string>();
  const gaps = new Map<string, number>();
  // In chunks: SQLite limits bound parameters.
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of db.select({ orgId: attestations.orgId, until: max(attestations.periodEnd) }).from(attestations).where(and(inArray(attestations.orgId, chunk), eq(attestations.status, "accepted"))).groupBy(attestations.orgId).all()) {
      if (r.until) accepted.set(r.orgId, r.until);
    }
    for (const r of db.select({ orgId: attestations.orgId, due: sql<string>`min(${attestations.dueDate})` }).from(attestations).where(and(inArray(attestations.orgId, chunk), inArray(attestations.status, [...OPEN]))).groupBy(attestations.orgId).all()) {
      open.set(r.orgId, r.due);
    }
    for (const r of db.select({ orgId: attestationGaps.orgId, n: sql<number>`count(*)` }).from(attestationGaps).where(and(inArray(attestationGaps.orgId, chunk), ne(attestationGaps.status, "closed"))).groupBy(attestationGaps.orgId).all()) {
      gaps.set(r.orgId, r.n);
    }
  }
  for (const id of ids) {
    const currentUntil = accepted.get(id) ?? null;
    const dueDate = open.get(id) ?? null;
    out.set(id, { state: attestationState({ acceptedUntil: currentUntil, openDueDate: dueDate }, now), currentUntil, dueDate, openGaps: gaps.get(id) ?? 0 });
  }
  return out;
}

/** A status read earlier, as it stands at `now`: its state moves with time, its dates and open gaps do not. */
export function attestationStatusAt(status: OrgAttestationStatus, now: Date): OrgAttestationStatus {
  return { ...status, state: attestationState({ acceptedUntil: status.currentUntil, openDueDate: status.dueDate }, now) };
}
