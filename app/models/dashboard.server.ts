import type { Actor } from "~/domain/actor";
import { countOrganizationsByStatus, listAwaitingApproval } from "./organization.server";
import { countUsersByStatus } from "./user.server";

/** The counts each role's dashboard opens with, within the actor's scope. */
export function dashboardSummary(actor: Actor) {
  const orgRows = countOrganizationsByStatus(actor);
  const userRows = countUsersByStatus(actor);
  const sum = (rows: { n: number }[]) => rows.reduce((a, r) => a + r.n, 0);
  return {
    orgs: {
      total: sum(orgRows),
      active: sum(orgRows.filter((r) => r.status === "active")),
      onboarding: sum(orgRows.filter((r) => r.status === "onboarding")),
    },
    users: { total: sum(userRows), invited: sum(userRows.filter((r) => r.status === "invited")) },
    awaitingApproval: listAwaitingApproval(actor).map((o) => ({ slug: o.slug, name: o.name, kind: o.kind, parentName: o.parentName })),
  };
}
