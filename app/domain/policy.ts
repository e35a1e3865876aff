import { z } from "zod";
import type { OrgTier } from "./organization";

export type Policy = {
  tier: OrgTier;
  maxCredentialAgeDays: number;
  unusedThresholdDays: number;
  attestationCadenceDays: number;
  reviewCadenceDays: number;
  rotationGraceHours: number;
};

export const DEFAULT_POLICIES: Record<OrgTier, Policy> = {
  restricted: { tier: "restricted", maxCredentialAgeDays: 30, unusedThresholdDays: 30, attestationCadenceDays: 90, reviewCadenceDays: 90, rotationGraceHours: 24 },
  standard: { tier: "standard", maxCredentialAgeDays: 90, unusedThresholdDays: 30, attestationCadenceDays: 365, reviewCadenceDays: 90, rotationGraceHours: 24 },
};

const days = (label: string, max: number) =>
  z.coerce
    .number({ message: `${label}: enter a number` })
    .int(`${label}: a whole number of days`)
    .min(1, `${label}: at least 1`)
    .max(max, `${label}: at most ${max}`);

export const PolicySchema = z.object({
  tier: z.enum(["restricted", "standard"]),
  maxCredentialAgeDays: days("Maximum credential age", 730),
  unusedThresholdDays: days("Unused threshold", 365),
  attestationCadenceDays: days("Attestation cadence", 730),
  reviewCadenceDays: days("Review cadence", 730),
  rotationGraceHours: z.coerce
    .number({ message: "Rotation grace: enter a number" })
    .int("Rotation grace: a whole number of hours")
    .min(0, "Rotation grace: 0 or more")
    .max(168, "Rotation grace: at most 168 hours (7 days)"),
});
