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
  | "update:token:any"
  // Attestations (issue 4): templates, requests, answers (partners), review (vendor managers).
  | `read:attestation:${Access}`
  | "request:attestation:any"
  | "review:attestation:any"
  | "answer:attestation:own"
  | "submit:attestation:own"
  | "read:template:any"
  | "update:template:any"
  // Access review campaigns (issue 5): the model also checks that the item is assigned to the actor.
  | `read:campaign:${Access}`
  | "create:campaign:any"
  | `decide:campaign:${Access}`
  // Anomaly flags (issue 7): security triages; a partner admin responds to its own organisation's.
  | `read:flag:${Access}`
  | "triage:flag:any"
  | "respond:flag:own"
  | "update:detection:any"
  // Evidence packs (issue 8).
  | "export:evidence:any";

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
    "read:attestation:any",
    "request:attestation:any",
    "review:attestation:any",
    "read:template:any",
    "update:template:any",
    "read:campaign:any",
    "create:campaign:any",
    "decide:campaign:any",
    "read:flag:any",
    "export:evidence:any",
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
    "read:attestation:any",
    "read:template:any",
    "read:campaign:any",
    "decide:campaign:any",
    "read:flag:any",
    "triage:flag:any",
    "update:detection:any",
    "export:evidence:any",
  ],
  auditor: [
    "read:org:any",
    "read:user:any",
    "read:catalog:any",
    "read:policy:any",
    "read:audit:any",
    "read:dashboard:any",
    "read:credential:any",
    "read:rotation:any",
    "read:webhook:any",
    "read:import:any",
    "read:token:any",
    "read:attestation:any",
    "read:template:any",
    "read:campaign:any",
    "read:flag:any",
    "export:evidence:any",
  ],
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
    "read:attestation:own",
    "answer:attestation:own",
    "submit:attestation:own",
    "read:campaign:own",
    "decide:campaign:own",
    "read:flag:own",
    "respond:flag:own",
  ],
  partner_member: [
    "read:org:own",
    "read:user:own",
    "read:catalog:any",
    "read:dashboard:any",
    "read:credential:own",
    "create:credential:own",
    "update:credential:own",
    "read:rotation:own",
    "read:attestation:own",
    "answer:attestation:own",
    "read:flag:own",
  ],
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
