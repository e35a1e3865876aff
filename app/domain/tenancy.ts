import { isInternalRole, type Role } from "./roles";

/** The organisations an actor may see: every one, or a fixed list. */
export type TenantScope = { all: true } | { all: false; orgIds: string[] };

export type ScopeActor = {
  role: Role;
  orgId: string | null;
  orgKind: "partner" | "contractor" | null;
};

/**
 * Internal users see everything; a partner's users see their org and its contractors;
 * a contractor's users see only their own org. `contractorIds` are the partner's sponsored orgs.
 */
export function tenantScope(actor: ScopeActor, contractorIds: string[] = []): TenantScope {
  if (isInternalRole(actor.role)) return { all: true };
  if (!actor.orgId) return { all: false, orgIds: [] };
  if (actor.orgKind === "partner") return { all: false, orgIds: [actor.orgId, ...contractorIds] };
  return { all: false, orgIds: [actor.orgId] };
}

export function inScope(scope: TenantScope, orgId: string | null | undefined): boolean {
  if (scope.all) return true;
  return orgId != null && scope.orgIds.includes(orgId);
}
