import { asc } from "drizzle-orm";
import { getDb } from "../../db/client";
import { policies } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { ORG_TIERS } from "~/domain/organization";
import { DEFAULT_POLICIES, policyChanges, type Policy, type PolicyInput } from "~/domain/policy";
import { writeAudit } from "./audit.server";

/** Both tiers' policies; a tier never saved falls back to the defaults. */
export function listPolicies(): Policy[] {
  const db = getDb();
  const rows = db.select().from(policies).orderBy(asc(policies.tier)).all();
  return ORG_TIERS.map((tier) => {
    const row = rows.find((r) => r.tier === tier);
    return row
      ? {
          tier,
          maxCredentialAgeDays: row.maxCredentialAgeDays,
          unusedThresholdDays: row.unusedThresholdDays,
          attestationCadenceDays: row.attestationCadenceDays,
          reviewCadenceDays: row.reviewCadenceDays,
          rotationGraceHours: row.rotationGraceHours,
        }
      : DEFAULT_POLICIES[tier];
  });
}

export function getPolicy(tier: Policy["tier"]): Policy {
  return listPolicies().find((p) => p.tier === tier)!;
}

/**
 * Saves a tier's policy. The audit entry lists each changed field (from/to); saving the same values
 * writes nothing. Returns the changes made.
 */
export function updatePolicy(ctx: ActionContext, input: PolicyInput) {
  const db = getDb();
  return db.transaction((tx) => {
    const before = getPolicy(input.tier);
    const changes = policyChanges(before, input);
    if (Object.keys(changes).length === 0) return { changed: false, changes };
    const values = { ...input, updatedAt: ctx.now ?? new Date(), updatedById: ctx.actor?.id ?? null };
    tx.insert(policies).values(values).onConflictDoUpdate({ target: policies.tier, set: values }).run();
    writeAudit(tx, ctx, { action: "policy.updated", targetType: "policy", targetId: input.tier, details: { changes } });
    return { changed: true, changes };
  });
}

/** Writes the defaults for tiers that have no row yet (migrate/seed). */
export function ensureDefaultPolicies() {
  const db = getDb();
  for (const p of Object.values(DEFAULT_POLICIES)) {
    db.insert(policies).values(p).onConflictDoNothing().run();
  }
}
