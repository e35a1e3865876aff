import { z } from "zod";
import { ORG_TIERS, type OrgTier } from "./organization";

export type Policy = {
  tier: OrgTier;
  maxCredentialAgeDays: number;
  unusedThresholdDays: number;
  attestationCadenceDays: number;
  reviewCadenceDays: number;
  rotationGraceHours: number;
};

export type PolicyField = Exclude<keyof Policy, "tier">;

export const DEFAULT_POLICIES: Record<OrgTier, Policy> = {
  restricted: { tier: "restricted", maxCredentialAgeDays: 30, unusedThresholdDays: 30, attestationCadenceDays: 90, reviewCadenceDays: 90, rotationGraceHours: 24 },
  standard: { tier: "standard", maxCredentialAgeDays: 90, unusedThresholdDays: 30, attestationCadenceDays: 365, reviewCadenceDays: 90, rotationGraceHours: 24 },
};

/** The editable fields in display order, with their labels and units. */
export const POLICY_FIELDS: readonly { field: PolicyField; label: string; unit: "days" | "hours"; hint: string }[] = [
  { field: "maxCredentialAgeDays", label: "Maximum credential age", unit: "days", hint: "A credential older than this (since issue or last rotation) is due for rotation." },
  { field: "unusedThresholdDays", label: "Unused threshold", unit: "days", hint: "A credential not used for this long is reported as unused." },
  { field: "attestationCadenceDays", label: "Attestation cadence", unit: "days", hint: "How often each organisation attests to its access controls." },
  { field: "reviewCadenceDays", label: "Review cadence", unit: "days", hint: "How often credentials are certified in an access review." },
  { field: "rotationGraceHours", label: "Rotation grace period", unit: "hours", hint: "How long the old key keeps working after a rotation." },
];

// An empty field is "no number", not 0 (z.coerce would turn "" into 0).
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

const whole = (label: string, unit: "days" | "hours", min: number, max: number, maxNote = "") =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ message: `${label}: enter a number` })
      .int(`${label}: a whole number of ${unit}`)
      .min(min, min === 0 ? `${label}: 0 or more` : `${label}: at least ${min}`)
      .max(max, `${label}: at most ${max}${maxNote}`),
  );

export const PolicySchema = z.object({
  tier: z.enum(ORG_TIERS, { message: "Choose a tier" }),
  maxCredentialAgeDays: whole("Maximum credential age", "days", 1, 730),
  unusedThresholdDays: whole("Unused threshold", "days", 1, 365),
  attestationCadenceDays: whole("Attestation cadence", "days", 1, 730),
  reviewCadenceDays: whole("Review cadence", "days", 1, 730),
  rotationGraceHours: whole("Rotation grace", "hours", 0, 168, " hours (7 days)"),
});
export type PolicyInput = z.infer<typeof PolicySchema>;

/** Field-by-field differences, for the audit entry; empty when nothing changed. */
export function policyChanges(before: Policy, after: PolicyInput): Partial<Record<PolicyField, { from: number; to: number }>> {
  const out: Partial<Record<PolicyField, { from: number; to: number }>> = {};
  for (const { field } of POLICY_FIELDS) if (before[field] !== after[field]) out[field] = { from: before[field], to: after[field] };
  return out;
}
