import type { Policy } from "./policy";

// Policy arithmetic for credentials (issue 3): pure, with `now` injected.

export const DAY_MS = 86_400_000;
export const DUE_SOON_DAYS = 14;
export const EXPIRING_SOON_DAYS = 14;

export type CredentialStatus = "active" | "suspended" | "revoked" | "expired";
export type RotationState = "ok" | "due_soon" | "overdue" | "not_applicable";
export type UsageState = "in_use" | "never_used" | "unused";
export type ExpiryState = "none" | "ok" | "expiring_soon" | "expired";

export type CredentialFacts = {
  status: CredentialStatus;
  issuedAt: Date;
  lastRotatedAt: Date | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
};

export type CredentialHygiene = {
  ageDays: number;
  rotationDueAt: Date | null;
  rotationState: RotationState;
  daysUntilRotation: number | null;
  usageState: UsageState;
  daysSinceUse: number | null;
  expiryState: ExpiryState;
  effectiveStatus: CredentialStatus;
};

const wholeDays = (ms: number) => Math.floor(ms / DAY_MS);

/**
 * Age counts from the last rotation, or from issue when never rotated. Rotation is due when the age
 * reaches the tier's maximum (exactly at the maximum is overdue), due soon in the 14 days before.
 * A credential never used is "never_used"; one last used the unused threshold or more days ago is "unused".
 * Revoked and expired credentials need no rotation.
 */
export function credentialHygiene(c: CredentialFacts, policy: Pick<Policy, "maxCredentialAgeDays" | "unusedThresholdDays">, now: Date): CredentialHygiene {
  const since = c.lastRotatedAt ?? c.issuedAt;
  const ageMs = Math.max(0, now.getTime() - since.getTime());
  const expired = c.status === "expired" || (c.expiresAt != null && c.expiresAt.getTime() <= now.getTime());
  const effectiveStatus: CredentialStatus = c.status === "revoked" ? "revoked" : expired ? "expired" : c.status;

  let rotationDueAt: Date | null = new Date(since.getTime() + policy.maxCredentialAgeDays * DAY_MS);
  let rotationState: RotationState;
  let daysUntilRotation: number | null = null;
  if (effectiveStatus === "revoked" || effectiveStatus === "expired") {
    rotationState = "not_applicable";
    rotationDueAt = null;
  } else {
    const left = rotationDueAt.getTime() - now.getTime();
    daysUntilRotation = Math.ceil(left / DAY_MS);
    rotationState = left <= 0 ? "overdue" : left <= DUE_SOON_DAYS * DAY_MS ? "due_soon" : "ok";
  }

  let usageState: UsageState = "in_use";
  let daysSinceUse: number | null = null;
  if (!c.lastUsedAt) usageState = "never_used";
  else {
    const idle = now.getTime() - c.lastUsedAt.getTime();
    daysSinceUse = wholeDays(Math.max(0, idle));
    if (idle >= policy.unusedThresholdDays * DAY_MS) usageState = "unused";
  }

  let expiryState: ExpiryState = "none";
  if (c.expiresAt) {
    const left = c.expiresAt.getTime() - now.getTime();
    expiryState = left <= 0 ? "expired" : left <= EXPIRING_SOON_DAYS * DAY_MS ? "expiring_soon" : "ok";
  }

  return { ageDays: wholeDays(ageMs), rotationDueAt, rotationState, daysUntilRotation, usageState, daysSinceUse, expiryState, effectiveStatus };
}
