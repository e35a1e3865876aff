import type { Role } from "./roles";

/** The signed-in user as model functions see them. */
export type Actor = {
  id: string;
  email: string;
  name: string;
  role: Role;
  orgId: string | null;
  orgKind: "partner" | "contractor" | null;
  orgSlug: string | null;
  orgName: string | null;
};

/** Who did it and from where: every mutation takes one, for its audit entry. */
export type ActionContext = { actor: Actor | null; ip: string | null; now?: Date };
