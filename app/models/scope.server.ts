import { eq, inArray, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { getDb } from "../../db/client";
import { organizations } from "../../db/schema";
import type { Actor } from "~/domain/actor";
import { tenantScope, type TenantScope } from "~/domain/tenancy";

/** The organisations this actor may see (see domain/tenancy). */
export function scopeFor(actor: Actor): TenantScope {
  const db = getDb();
  const contractorIds =
    actor.orgKind === "partner" && actor.orgId
      ? db.select({ id: organizations.id }).from(organizations).where(eq(organizations.parentId, actor.orgId)).all().map((r) => r.id)
      : [];
  return tenantScope(actor, contractorIds);
}

/** A `where` condition limiting `column` (an organisation id) to the scope; undefined means no limit. */
export function scopeWhere(scope: TenantScope, column: SQLiteColumn): SQL | undefined {
  if (scope.all) return undefined;
  return inArray(column, scope.orgIds.length ? scope.orgIds : ["\u0000none"]);
}
