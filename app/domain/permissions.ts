import type { Role } from "./roles";

/**
 * One vocabulary for server guards and UI: `action:entity:access`.
 * `any` reaches every tenant; `own` reaches the actor's organisation (and, for a partner, its contractors).
 * Tenancy itself is enforced by the model layer's scoped queries; this table answers "may this role try?".
 */
export type Access = "any" | "own";
export type Permission =
  | `read:org:${Access}`
  | "create:org:any"
  | "update:org:any"
  | "approve:org:any"
  | "sponsor:org:own"
  | `read:user:${Access}`
  | `invite:user:${Access}`
  | `update:user:${Access}`
  | "read:catalog:any"
  | "update:catalog:any"
  | "read:policy:any"
  | "update:policy:any"
  | "read:audit:any"
  | "read:dashboard:any"
  | `read:credential:${Access}`
  | `create:credential:${Access}`
  | `update:credential:${Access}`
  | "widen:credential:any"
  | "update:entitlement:any"
  | `read:rotation:${Access}`
  | "read:webhook:any"
  | "update:webhook:any"
  | "read:import:any"
  | "create:import:any"
  | "read:token:any"
  | "update:token:any";

const RULES: Record<Role, readonly Permission[]> = {
  vendor_manager: [
    "read:org:any",
    "create:org:any",
    "update:org:any",
    "approve:org:any",
    "read:user:any",
    "invite:user:any",
    "update:user:any",
    "read:catalog:any",
    "update:catalog:any",
    "read:policy:any",
    "update:policy:any",
    "read:audit:any",
    "read:dashboard:any",
    "read:credential:any",
    "create:credential:any",
    "update:credential:any",
    "widen:credential:any",
    "update:entitlement:any",
    "read:rotation:any",
    "read:webhook:any",
    "update:webhook:any",
    "read:import:any",
  ],
  security: [
    "read:org:any",
    "read:user:any",
    "read:catalog:any",
    "read:policy:any",
    "read:audit:any",
    "read:dashboard:any",
    "read:credential:any",
    "update:credential:any",
    "read:rotation:any",
    "read:webhook:any",
    "update:webhook:any",
    "read:import:any",
    "create:import:any",
    "read:token:any",
    "update:token:any",
  ],
  auditor: ["read:org:any", "read:user:any", "read:catalog:any", "read:policy:any", "read:audit:any", "read:dashboard:any", "read:credential:any", "read:rotation:any", "read:webhook:any", "read:import:any", "read:token:any"],
  partner_admin: [
    "read:org:own",
    "sponsor:org:own",
    "read:user:own",
    "invite:user:own",
    "update:user:own",
    "read:catalog:any",
    "read:dashboard:any",
    "read:credential:own",
    "create:credential:own",
    "update:credential:own",
    "read:rotation:own",
  ],
  partner_member: ["read:org:own", "read:user:own", "read:catalog:any", "read:dashboard:any", "read:credential:own", "create:credential:own", "update:credential:own", "read:rotation:own"],
};

type Actor = { role: Role; orgKind?: "partner" | "contractor" | null };

/**
 * May this actor perform `action` on `entity`? Pass a full permission to ask for one access level,
 * or `action:entity` to accept either level.
 */
export function can(actor: Actor | null | undefined, permission: Permission | `${string}:${string}`): boolean {
  if (!actor) return false;
  const rules = RULES[actor.role];
  if (permission === "sponsor:org:own" && actor.orgKind !== "partner") return false;
  if (permission.split(":").length === 3) return rules.includes(permission as Permission);
  return rules.some((p) => p.startsWith(`${permission}:`));
}

/** The access level the actor holds for `action:entity`, or null. "any" wins over "own". */
export function accessFor(actor: Actor | null | undefined, actionEntity: string): Access | null {
  if (!actor) return null;
  if (can(actor, `${actionEntity}:any` as Permission)) return "any";
  if (can(actor, `${actionEntity}:own` as Permission)) return "own";
  return null;
}

export function rulesFor(role: Role): readonly Permission[] {
  return RULES[role];
}
