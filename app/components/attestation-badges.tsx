import { Badge } from "./badge";
import { ATTESTATION_STATUS_LABELS, ATTESTATION_STATUS_TONES, STATE_LABELS, STATE_TONES, type AttestationStatusName } from "~/domain/attestation-labels";
import type { AttestationState } from "~/domain/attestation-schedule";

export function AttestationStatusBadge({ status }: { status: AttestationStatusName }) {
  return <Badge tone={ATTESTATION_STATUS_TONES[status]}>{ATTESTATION_STATUS_LABELS[status]}</Badge>;
}

export function AttestationStateBadge({ state }: { state: AttestationState }) {
  return <Badge tone={STATE_TONES[state]}>{STATE_LABELS[state]}</Badge>;
}

/** Shown wherever a restricted-tier organisation's credentials appear without a current accepted attestation. */
export function AttestationMissingBadge() {
  return <Badge tone="bad">Attestation missing</Badge>;
}
