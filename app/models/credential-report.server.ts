import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, credentialShares, organizations } from "../../db/schema";
import { credentialHygiene } from "~/domain/credential-policy";
import { credentialQuery } from "./credential.server";
import { listPolicies } from "./policy.server";

// `keyward credentials`: the inventory as an operator's report (AWS's credential report is the model):
// every credential with its age against policy, rotation state, last use and status. A system view for
// the CLI: every organisation, no tenant scope (pages use the scoped inventory queries instead).

export type CredentialReportRow = {
  keyId: string;
  org: string;
  orgName: string;
  tier: "restricted" | "standard";
  label: string;
  holder: string | null;
  /** Effective status: a key past its expiry date reads "expired" even before the scheduler marks it. */
  status: "active" | "suspended" | "revoked" | "expired";
  recordedStatus: "active" | "suspended" | "revoked" | "expired";
  grant: string[];
  endpoints: string[];
  environment: string;
  storage: string;
  sharedWith: string[];
  issuedAt: string;
  lastRotatedAt: string | null;
  ageDays: number;
  maxAgeDays: number;
  rotationState: "ok" | "due_soon" | "overdue" | "not_applicable";
  rotationDueAt: string | null;
  usageState: "in_use" | "never_used" | "unused";
  expiresAt: string | null;
  expiryState: "none" | "ok" | "expiring_soon" | "expired";
  lastUsedAt: string | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Every credential (or one organisation's: `orgSlug`), by organisation then key id, with its hygiene
 * computed from the tier's policy at `now`. Null when `orgSlug` names no organisation.
 */
export function listCredentialReport(filter: { orgSlug?: string } = {}, now = new Date()): CredentialReportRow[] | null {
  const db = getDb();
  let orgId: string | undefined;
  if (filter.orgSlug !== undefined) {
    orgId = db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, filter.orgSlug)).get()?.id;
    if (!orgId) return null;
  }
  const rows = credentialQuery()
    .where(orgId ? eq(credentials.orgId, orgId) : undefined)
    .orderBy(asc(organizations.slug), asc(credentials.keyId))
    .all();
  const shares = new Map<string, string[]>();
  const shareRows = db
    .select({ credentialId: credentialShares.credentialId, slug: organizations.slug })
    .from(credentialShares)
    .innerJoin(organizations, eq(credentialShares.orgId, organizations.id))
    .orderBy(asc(organizations.slug))
    .all();
  for (const s of shareRows) shares.set(s.credentialId, [...(shares.get(s.credentialId) ?? []), s.slug]);
  const policies = new Map(listPolicies().map((p) => [p.tier, p]));

  return rows.map((c) => {
    const policy = policies.get(c.orgTier)!;
    const h = credentialHygiene(c, policy, now);
    return {
      keyId: c.keyId,
      org: c.orgSlug,
      orgName: c.orgName,
      tier: c.orgTier,
      label: c.label,
      holder: c.holderEmail ?? c.holderService ?? null,
      status: h.effectiveStatus,
      recordedStatus: c.status,
      grant: c.grantModels,
      endpoints: c.grantEndpoints,
      environment: c.environment,
      storage: c.storage,
      sharedWith: shares.get(c.id) ?? [],
      issuedAt: c.issuedAt.toISOString(),
      lastRotatedAt: iso(c.lastRotatedAt),
      ageDays: h.ageDays,
      maxAgeDays: policy.maxCredentialAgeDays,
      rotationState: h.rotationState,
      rotationDueAt: iso(h.rotationDueAt),
      usageState: h.usageState,
      expiresAt: iso(c.expiresAt),
      expiryState: h.expiryState,
      lastUsedAt: iso(c.lastUsedAt),
      lastUsedIp: c.lastUsedIp,
      lastUsedUserAgent: c.lastUsedUserAgent,
    };
  });
}
