import { asc } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "../../db/client";
import { policies } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { DEFAULT_POLICIES, type Policy, type PolicySchema } from "~/domain/policy";
import { writeAudit } from "./audit.server";

/** Both tiers' policies; a tier never saved falls back to the defaults. */
export function listPolicies(): Policy[] {
  const db = getDb();
  const rows = db.select().from(policies).orderBy(asc(policies.tier)).all();
  return (["restricted", "standard"] as const).map((tier) => {
    const row = rows.find((r) => r.tier === tier);
    return row
      ? { tier, maxCredentialAgeDays: row.maxCredentialAgeDays, unusedThresholdDays: row.unusedThresholdDays, attestationCadenceDays: row.attestationCadenceDays, reviewCadenceDays: row.reviewCadenceDays, rotationGraceHours: row.rotationGraceHours }
      : DEFAULT_POLICIES[tier];
  });
}

export function getPolicy(tier: Policy["tier"]): Policy {
  const db = getDb();
  return listPolicies().find((p) => p.tier === tier)!;
}

export function updatePolicy(ctx: ActionContext, input: z.infer<typeof PolicySchema>) {
  const db = getDb();
  const before = getPolicy(input.tier);
  const changes = Object.fromEntries(
    (Object.keys(input) as (keyof Policy)[]).filter((k) => k !== "tier" && before[k] !== input[k]).map((k) => [k, { from: before[k], to: input[k] }]),
  );
  if (Object.keys(changes).length === 0) return;
  db.transaction((tx) => {
    const values = { ...input, updatedAt: new Date(), updatedById: ctx.actor?.id ?? null };
    tx.insert(policies).values(values).onConflictDoUpdate({ target: policies.tier, set: values }).run();
    writeAudit(tx, ctx, { action: "policy.updated", targetType: "policy", targetId: input.tier, details: { changes } });
  });
}

/** Writes the defaults for tiers that have no row yet (migrate/seed). */
export function ensureDefaultPolicies() {
  const db = getDb();
  for (const p of Object.values(DEFAULT_POLICIES)) {
    db.insert(policies).values(p).onConflictDoNothing().run();
  }
}

