import { and, asc, eq, inArray } from "drizzle-orm";
import { getDb } from "../../db/client";
import { catalogEndpoints, catalogModels, credentials, orgEntitlements, organizations } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import type { EntitlementsInput } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA, describeUncovered, isWithin, uncovered, type CatalogModelRef } from "~/domain/grant";
import { writeAudit } from "./audit.server";
import type { FieldResult } from "./organization.server";

// What an organisation may use. Vendor managers edit them (route: update:entitlement:any); a
// contractor's are at most its sponsor's; a credential's grant is at most its organisation's.
// Readers pass an organisation they already found in their scope (getOrganization), as listOrgUsers does.

export type Entitlements = { models: string[]; endpoints: string[] };

/** An organisation's entitlements, sorted. No rows = no access. */
export function getEntitlements(orgId: string): Entitlements {
  const rows = getDb().select({ kind: orgEntitlements.kind, name: orgEntitlements.name }).from(orgEntitlements).where(eq(orgEntitlements.orgId, orgId)).orderBy(asc(orgEntitlements.name)).all();
  return { models: rows.filter((r) => r.kind === "model").map((r) => r.name), endpoints: rows.filter((r) => r.kind === "endpoint").map((r) => r.name) };
}

/** The catalog's models as the grant arithmetic needs them (name, status). */
export function catalogRefs(): CatalogModelRef[] {
  return getDb().select({ name: catalogModels.name, status: catalogModels.status }).from(catalogModels).orderBy(asc(catalogModels.name)).all();
}

/** Names that are neither "@ga"/"*" nor in the catalog. */
function unknownNames(input: Entitlements, catalog: readonly CatalogModelRef[]) {
  const endpointNames = new Set(getDb().select({ name: catalogEndpoints.name }).from(catalogEndpoints).all().map((e) => e.name));
  return {
    models: input.models.filter((m) => m !== ALL_GA && !catalog.some((c) => c.name === m)),
    endpoints: input.endpoints.filter((e) => e !== ALL_ENDPOINTS && !endpointNames.has(e)),
  };
}

/** What would fall outside `next`: contractors whose entitlements, and live credentials whose grants, it no longer covers. */
export function dependantsOutside(orgId: string, next: Entitlements, catalog: readonly CatalogModelRef[]) {
  const db = getDb();
  const contractors = db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.parentId, orgId))
    .orderBy(asc(organizations.name))
    .all()
    .map((c) => ({ ...c, outside: uncovered(getEntitlements(c.id), next, catalog) }))
    .filter((c) => c.outside.models.length || c.outside.endpoints.length);
  // Revoked and expired credentials reach nothing any more; suspended ones may be reactivated, so they count.
  const creds = db
    .select({ keyId: credentials.keyId, models: credentials.grantModels, endpoints: credentials.grantEndpoints })
    .from(credentials)
    .where(and(eq(credentials.orgId, orgId), inArray(credentials.status, ["active", "suspended"])))
    .orderBy(asc(credentials.keyId))
    .all()
    .map((c) => ({ keyId: c.keyId, outside: uncovered({ models: c.models, endpoints: c.endpoints }, next, catalog) }))
    .filter((c) => c.outside.models.length || c.outside.endpoints.length);
  return { contractors, credentials: creds };
}

const LIST_MAX = 10;
function listNames(names: string[]) {
  return names.length > LIST_MAX ? `${names.slice(0, LIST_MAX).join(", ")} and ${names.length - LIST_MAX} more` : names.join(", ");
}

/**
 * Replaces an organisation's entitlements. Refused (field errors, nothing written):
 * - names not in the catalog;
 * - a contractor's entitlements beyond its sponsor's (naming what is outside);
 * - a narrowing that would leave a contractor's entitlements or a live credential's grant outside the
 *   new set: we refuse rather than narrow them silently; narrow or revoke those first.
 * An unchanged set writes nothing; a change writes org.entitlements_changed with before/after.
 */
export function updateEntitlements(ctx: ActionContext & { actor: Actor }, org: { id: string; slug: string }, input: EntitlementsInput): FieldResult<{ changed: boolean }> {
  const db = getDb();
  const catalog = catalogRefs();
  const next: Entitlements = { models: [...new Set(input.models)].sort(), endpoints: [...new Set(input.endpoints)].sort() };
  const unknown = unknownNames(next, catalog);
  if (unknown.models.length) return { ok: false, field: "models", message: `Not in the catalog: ${unknown.models.join(", ")}.` };
  if (unknown.endpoints.length) return { ok: false, field: "endpoints", message: `Not in the catalog: ${unknown.endpoints.join(", ")}.` };

  // Checks and write in one immediate transaction: nobody can register a credential or change the
  // sponsor's entitlements between the check and the write (the helpers read through the same connection).
  return db.transaction(
    (tx): FieldResult<{ changed: boolean }> => {
      const row = tx.select({ kind: organizations.kind, parentId: organizations.parentId }).from(organizations).where(eq(organizations.id, org.id)).get();
      if (!row) return { ok: false, field: "models", message: "This organisation no longer exists." };
      if (row.kind === "contractor" && row.parentId) {
        const outside = uncovered(next, getEntitlements(row.parentId), catalog);
        if (outside.models.length || outside.endpoints.length) {
          return {
            ok: false,
            field: outside.models.length ? "models" : "endpoints",
            message: `A contractor's entitlements must be within its sponsor's. Outside the sponsor's: ${describeUncovered(outside)}.`,
          };
        }
      }
      const dependants = dependantsOutside(org.id, next, catalog);
      if (dependants.contractors.length || dependants.credentials.length) {
        const parts: string[] = [];
        if (dependants.contractors.length) parts.push(`contractors ${listNames(dependants.contractors.map((c) => `${c.name} (${describeUncovered(c.outside)})`))}`);
        if (dependants.credentials.length) parts.push(`credentials ${listNames(dependants.credentials.map((c) => `${c.keyId} (${describeUncovered(c.outside)})`))}`);
        return { ok: false, field: "_form", message: `This would leave ${parts.join(" and ")} outside the new entitlements. Narrow or revoke them first.` };
      }
      const before = getEntitlements(org.id);
      if (JSON.stringify(before) === JSON.stringify(next)) return { ok: true, value: { changed: false } };
      const now = ctx.now ?? new Date();
      tx.delete(orgEntitlements).where(eq(orgEntitlements.orgId, org.id)).run();
      const values = [
        ...next.models.map((name) => ({ orgId: org.id, kind: "model" as const, name, grantedById: ctx.actor.id, grantedAt: now })),
        ...next.endpoints.map((name) => ({ orgId: org.id, kind: "endpoint" as const, name, grantedById: ctx.actor.id, grantedAt: now })),
      ];
      if (values.length) tx.insert(orgEntitlements).values(values).run();
      writeAudit(tx, ctx, { action: "org.entitlements_changed", targetType: "org", targetId: org.id, orgId: org.id, details: { slug: org.slug, before, after: next } });
      return { ok: true, value: { changed: true } };
    },
    { behavior: "immediate" },
  );
}

/** Is `inner` (a grant) within this organisation's entitlements? The uncovered parts, or null when it is. */
export function outsideEntitlements(orgId: string, inner: Entitlements, catalog = catalogRefs()) {
  const ent = getEntitlements(orgId);
  return isWithin(inner, ent, catalog) ? null : uncovered(inner, ent, catalog);
}
