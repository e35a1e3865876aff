import { inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { catalogModels } from "../../db/schema";
import { attestationTierPolicies } from "../../db/schema-attestations";
import type { ActionContext } from "~/domain/actor";
import { DEFAULT_GATING, gatingBlocks, isoDay } from "~/domain/attestation-schedule";
import { ORG_TIERS, type OrgTier } from "~/domain/organization";
import { writeAudit } from "./audit.server";
import { attestationStatusFor } from "./attestation-status.server";

// The attestation gate per tier (issue 4 point 6): a restricted-tier organisation without a current
// accepted attestation cannot register credentials granting a restricted model while its tier enforces.
// The cadence itself is the tier policy's attestationCadenceDays (settings).

export function listGatingPolicies(): Record<OrgTier, boolean> {
  const rows = getDb().select().from(attestationTierPolicies).all();
  return Object.fromEntries(ORG_TIERS.map((t) => [t, rows.find((r) => r.tier === t)?.enforce ?? DEFAULT_GATING[t]])) as Record<OrgTier, boolean>;
}

export function setGatingPolicy(ctx: ActionContext, tier: OrgTier, enforce: boolean): boolean {
  const db = getDb();
  return db.transaction((tx) => {
    const before = tx.select().from(attestationTierPolicies).all().find((r) => r.tier === tier)?.enforce ?? DEFAULT_GATING[tier];
    if (before === enforce) return false;
    const now = ctx.now ?? new Date();
    tx.insert(attestationTierPolicies).values({ tier, enforce, updatedAt: now }).onConflictDoUpdate({ target: attestationTierPolicies.tier, set: { enforce, updatedAt: now } }).run();
    writeAudit(tx, ctx, { action: "attestation_policy.updated", targetType: "policy", targetId: tier, details: { enforce: { from: before, to: enforce } } });
    return true;
  });
}

/** The models among `grantModels` whose catalog status is restricted or unreleased. */
export function restrictedModelsIn(grantModels: readonly string[]): string[] {
  const names = grantModels.filter((m) => !m.startsWith("@"));
  if (names.length === 0) return [];
  return getDb()
    .select({ name: catalogModels.name, status: catalogModels.status })
    .from(catalogModels)
    .where(inArray(catalogModels.name, names))
    .all()
    .filter((m) => m.status === "restricted" || m.status === "unreleased")
    .map((m) => m.name);
}

/**
 * Null when the registration may go ahead; otherwise the message to show. `org.tier` is the
 * organisation's tier; `grantModels` the requested grant.
 */
export function attestationGateMessage(org: { id: string; name: string; tier: OrgTier }, grantModels: readonly string[], now: Date = new Date()): string | null {
  if (org.tier !== "restricted") return null;
  const enforce = listGatingPolicies()[org.tier];
  if (!enforce) return null;
  const restricted = restrictedModelsIn(grantModels);
  if (restricted.length === 0) return null;
  const status = attestationStatusFor([org.id], now).get(org.id)!;
  if (!gatingBlocks({ tier: org.tier, enforce, currentUntil: status.currentUntil, grantsRestricted: true }, now)) return null;
  return `${org.name} has no current accepted attestation, so it cannot be granted the restricted model${restricted.length > 1 ? "s" : ""} ${restricted.join(", ")}. Complete the attestation first (Attestations page), or grant only GA models.`;
}

/**
 * The organisations among `orgs` shown as "attestation missing" wherever their credentials appear:
 * restricted tier, and no accepted attestation covering today.
 */
export function attestationMissingFor(orgs: readonly { id: string; tier: OrgTier }[], now: Date = new Date()): Set<string> {
  const restricted = [...new Set(orgs.filter((o) => o.tier === "restricted").map((o) => o.id))];
  const statuses = attestationStatusFor(restricted, now);
  const today = isoDay(now);
  return new Set(restricted.filter((id) => !(statuses.get(id)!.currentUntil && statuses.get(id)!.currentUntil! >= today)));
}
