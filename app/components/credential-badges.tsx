import { Badge, type Tone } from "~/components/badge";
import type { CredentialStatus, ExpiryState, RotationState, UsageState } from "~/domain/credential-policy";
import { capitalise } from "~/domain/labels";

// Presentational badges for a credential's hygiene (computed by domain/credential-policy).

const ROTATION: Record<RotationState, { tone: Tone; label: string }> = {
  ok: { tone: "good", label: "Rotation ok" },
  due_soon: { tone: "warn", label: "Rotation due soon" },
  overdue: { tone: "bad", label: "Rotation overdue" },
  not_applicable: { tone: "neutral", label: "No rotation needed" },
};

export function RotationBadge({ state }: { state: RotationState }) {
  const r = ROTATION[state];
  return <Badge tone={r.tone}>{r.label}</Badge>;
}

const STATUS: Record<CredentialStatus, Tone> = { active: "good", suspended: "warn", revoked: "bad", expired: "neutral" };

export function CredentialStatusBadge({ status }: { status: CredentialStatus }) {
  return <Badge tone={STATUS[status]}>{capitalise(status)}</Badge>;
}

export function UsageBadge({ state, thresholdDays }: { state: UsageState; thresholdDays?: number }) {
  if (state === "never_used") return <Badge tone="warn">Never used</Badge>;
  if (state === "unused") return <Badge tone="warn">{thresholdDays ? `Unused ${thresholdDays}+ d` : "Unused"}</Badge>;
  return null;
}

export function ExpiryBadge({ state }: { state: ExpiryState }) {
  if (state === "expiring_soon") return <Badge tone="warn">Expiring soon</Badge>;
  if (state === "expired") return <Badge tone="neutral">Expired</Badge>;
  return null;
}

export type CredentialBadgeFacts = {
  usageState: UsageState;
  expiryState: ExpiryState;
  shared: boolean;
  storage: string;
  unusedThresholdDays?: number;
  /** Set once attestations arrive (issue 4): the org has no accepted attestation in its cadence. */
  attestationMissing?: boolean;
};

/** The row badges: never used / unused, expiring, shared with a contractor, not in a secrets manager, attestation missing. */
export function CredentialBadges({ facts }: { facts: CredentialBadgeFacts }) {
  return (
    <span className="credential-badges">
      <UsageBadge state={facts.usageState} thresholdDays={facts.unusedThresholdDays} />
      <ExpiryBadge state={facts.expiryState} />
      {facts.shared ? <Badge tone="info">Shared</Badge> : null}
      {facts.storage !== "secrets_manager" ? <Badge tone="warn">Not in a secrets manager</Badge> : null}
      {facts.attestationMissing ? <Badge tone="bad">Attestation missing</Badge> : null}
    </span>
  );
}
