import { and, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { credentials, credentialShares, organizations, users } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { scopeFor, scopeWhere } from "./scope.server";

// Reads of the credential inventory. Tenancy: a credential belongs to its organisation; a partner's
// users also see their contractors' credentials (scopeFor). Lifecycle changes live in
// credential-lifecycle.server.ts, registration and the inventory list in credential-inventory.server.ts.

const holder = alias(users, "holder");

export const credentialColumns = {
  id: credentials.id,
  keyId: credentials.keyId,
  fingerprint: credentials.fingerprint,
  label: credentials.label,
  orgId: credentials.orgId,
  orgSlug: organizations.slug,
  orgName: organizations.name,
  orgKind: organizations.kind,
  orgTier: organizations.tier,
  orgParentId: organizations.parentId,
  holderUserId: credentials.holderUserId,
  holderName: holder.name,
  holderEmail: holder.email,
  holderService: credentials.holderService,
  grantModels: credentials.grantModels,
  grantEndpoints: credentials.grantEndpoints,
  environment: credentials.environment,
  storage: credentials.storage,
  status: credentials.status,
  statusReason: credentials.statusReason,
  issuedAt: credentials.issuedAt,
  expiresAt: credentials.expiresAt,
  lastRotatedAt: credentials.lastRotatedAt,
  lastUsedAt: credentials.lastUsedAt,
  lastUsedIp: credentials.lastUsedIp,
  lastUsedUserAgent: credentials.lastUsedUserAgent,
  lastReviewedAt: credentials.lastReviewedAt,
  revokedAt: credentials.revokedAt,
  revokedReason: credentials.revokedReason,
  createdAt: credentials.createdAt,
};

/** The credentials table joined with its organisation and holder: the base of every credential read. */
export function credentialQuery() {
  return getDb()
    .select(credentialColumns)
    .from(credentials)
    .innerJoin(organizations, eq(credentials.orgId, organizations.id))
    .leftJoin(holder, eq(credentials.holderUserId, holder.id));
}

export type CredentialRecord = NonNullable<ReturnType<typeof getCredential>>;

/** One credential by key id within the actor's scope, or null (another tenant's key is not found). */
export function getCredential(actor: Actor, keyId: string) {
  const scope = scopeFor(actor);
  const row = credentialQuery()
    .where(and(eq(credentials.keyId, keyId), scopeWhere(scope, credentials.orgId)))
    .get();
  if (!row) return null;
  return { ...row, sharedWith: listShares(row.id) };
}

/** The contractor organisations a credential is shared with. */
export function listShares(credentialId: string) {
  return getDb()
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
    .from(credentialShares)
    .innerJoin(organizations, eq(credentialShares.orgId, organizations.id))
    .where(eq(credentialShares.credentialId, credentialId))
    .all();
}
