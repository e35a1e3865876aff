export const ROLES = ["vendor_manager", "security", "auditor", "partner_admin", "partner_member"] as const;
export type Role = (typeof ROLES)[number];

export const INTERNAL_ROLES: readonly Role[] = ["vendor_manager", "security", "auditor"];
export const PARTNER_ROLES: readonly Role[] = ["partner_admin", "partner_member"];

export const ROLE_LABELS: Record<Role, string> = {
  vendor_manager: "Vendor manager",
  security: "Security",
  auditor: "Auditor",
  partner_admin: "Partner admin",
  partner_member: "Partner member",
};

export function isInternalRole(role: Role) {
  return INTERNAL_ROLES.includes(role);
}
