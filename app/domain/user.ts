import { z } from "zod";
import { ROLES, PARTNER_ROLES, type Role, isInternalRole } from "./roles";

export const EmailSchema = z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address").max(254));

export const PASSWORD_MIN = 12;
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(256, "At most 256 characters");

export const LoginSchema = z.object({
  email: EmailSchema,
  password: z.string().min(1, "Enter your password").max(256),
  redirectTo: z.string().optional(),
});

export const InviteSchema = z
  .object({
    email: EmailSchema,
    name: z.string().trim().min(1, "Give the person's name").max(120),
    role: z.enum(ROLES, { message: "Choose a role" }),
    orgSlug: z.string().trim().transform((v) => v || undefined).optional(),
  })
  .superRefine((v, ctx) => {
    if (isInternalRole(v.role) && v.orgSlug) ctx.addIssue({ code: "custom", path: ["orgSlug"], message: "Internal roles belong to no organisation" });
    if (!isInternalRole(v.role) && !v.orgSlug) ctx.addIssue({ code: "custom", path: ["orgSlug"], message: "Partner roles need an organisation" });
  });
export type Invite = z.infer<typeof InviteSchema>;

export const AcceptInvitationSchema = z
  .object({ password: PasswordSchema, confirm: z.string() })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two passwords differ" });

export const RoleChangeSchema = z.object({ role: z.enum(ROLES, { message: "Choose a role" }) });

/** Roles an actor may hand out: vendor managers any; partner admins only partner roles in their org. */
export function assignableRoles(actorRole: Role): readonly Role[] {
  if (actorRole === "vendor_manager") return ROLES;
  if (actorRole === "partner_admin") return PARTNER_ROLES;
  return [];
}

/** Only local paths: "/x" but never "//host" or "/\\host", so a link cannot send someone elsewhere. */
export function safeRedirect(to: unknown, fallback = "/dashboard"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  if (/[\u0000-\u001f]/.test(to)) return fallback;
  return to;
}
