import { z } from "zod";

export const ORG_KINDS = ["partner", "contractor"] as const;
export const ORG_TIERS = ["restricted", "standard"] as const;
export const ORG_STATUSES = ["onboarding", "active", "suspended", "offboarded"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];
export type OrgTier = (typeof ORG_TIERS)[number];
export type OrgStatus = (typeof ORG_STATUSES)[number];

const slugRe = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;
const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31")
  .optional()
  .or(z.literal("").transform(() => undefined));

export const SlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(slugRe, "Use 1–48 lowercase letters, digits and dashes, not starting or ending with a dash");

const baseFields = {
  name: z.string().trim().min(2, "Give the organisation's name (at least 2 characters)").max(120, "At most 120 characters"),
  tier: z.enum(ORG_TIERS, { message: "Choose a tier" }),
  agreementStart: isoDate,
  agreementEnd: isoDate,
  contactEmail: z.email("Enter a valid email address").optional().or(z.literal("").transform(() => undefined)),
};

function agreementOrder<T extends { agreementStart?: string; agreementEnd?: string }>(v: T, ctx: z.RefinementCtx) {
  if (v.agreementStart && v.agreementEnd && v.agreementEnd < v.agreementStart) {
    ctx.addIssue({ code: "custom", path: ["agreementEnd"], message: "The agreement cannot end before it starts" });
  }
}

export const OrganizationCreateSchema = z
  .object({
    ...baseFields,
    slug: SlugSchema,
    kind: z.enum(ORG_KINDS, { message: "Choose partner or contractor" }),
    parentSlug: z.string().trim().transform((v) => v || undefined).optional(),
    ownerId: z.string().trim().transform((v) => v || undefined).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "contractor" && !v.parentSlug) ctx.addIssue({ code: "custom", path: ["parentSlug"], message: "A contractor needs a sponsoring partner" });
    if (v.kind === "partner" && v.parentSlug) ctx.addIssue({ code: "custom", path: ["parentSlug"], message: "A partner has no sponsor" });
    agreementOrder(v, ctx);
  });
export type OrganizationCreate = z.infer<typeof OrganizationCreateSchema>;

export const OrganizationUpdateSchema = z
  .object({
    ...baseFields,
    ownerId: z.string().trim().transform((v) => v || undefined).optional(),
  })
  .superRefine(agreementOrder);
export type OrganizationUpdate = z.infer<typeof OrganizationUpdateSchema>;

/** What a partner admin fills in to sponsor a contractor; the contractor inherits the partner's tier. */
export const SponsorContractorSchema = z.object({
  name: baseFields.name,
  slug: SlugSchema,
  contactEmail: baseFields.contactEmail,
});
export type SponsorContractor = z.infer<typeof SponsorContractorSchema>;

export const OrgStatusChangeSchema = z.object({
  status: z.enum(ORG_STATUSES),
  reason: z.string().trim().max(500).optional(),
});

/** Which status changes a vendor manager may make. */
export function allowedStatusChanges(from: OrgStatus): OrgStatus[] {
  switch (from) {
    case "onboarding":
      return ["active", "offboarded"];
    case "active":
      return ["suspended", "offboarded"];
    case "suspended":
      return ["active", "offboarded"];
    case "offboarded":
      return [];
  }
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/g, "");
}

export const STATUS_LABELS: Record<OrgStatus, string> = {
  onboarding: "Onboarding",
  active: "Active",
  suspended: "Suspended",
  offboarded: "Offboarded",
};
