import { z } from "zod";
import { ALL_ENDPOINTS, ALL_GA } from "./grant";

// Credentials: what a partner registers (never the secret). The grant arithmetic is in ./grant.

export const ENVIRONMENTS = ["production", "staging", "development", "ci", "other"] as const;
export const STORAGES = ["secrets_manager", "ci_secret", "local_file", "shared_drive", "other"] as const;
export const CREDENTIAL_STATUSES = ["active", "suspended", "revoked", "expired"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export type Storage = (typeof STORAGES)[number];

export const STORAGE_LABELS: Record<Storage, string> = {
  secrets_manager: "Secrets manager",
  ci_secret: "CI secret",
  local_file: "Local file",
  shared_drive: "Shared drive",
  other: "Other",
};
export const ENVIRONMENT_LABELS: Record<Environment, string> = { production: "Production", staging: "Staging", development: "Development", ci: "CI", other: "Other" };

export const KeyIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{5,127}$/, "A key id is 6–128 letters, digits, dots, dashes, colons or underscores (the public identifier your gateway logs, not the secret)");

export const FingerprintSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-f0-9]{64}$/, "A fingerprint is the SHA-256 of the key: 64 hexadecimal characters");

const isoDate = z.string().trim().regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date such as 2026-01-31");
const list = z.preprocess((v) => (v == null || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().trim().min(1)));
const optional = z.string().trim().transform((v) => v || undefined).optional();

/** The registration form. The secret itself is never a field: only its browser-computed SHA-256. */
export const CredentialRegisterSchema = z
  .object({
    orgSlug: optional,
    keyId: KeyIdSchema,
    label: z.string().trim().min(2, "Give the credential a label (at least 2 characters)").max(120),
    holderUserId: optional,
    holderService: z.string().trim().max(120).transform((v) => v || undefined).optional(),
    grantModels: list.pipe(z.array(z.string()).min(1, "Grant at least one model (or every GA model)")),
    grantEndpoints: list.transform((v) => (v.length ? v : [ALL_ENDPOINTS])),
    environment: z.enum(ENVIRONMENTS, { message: "Choose an environment" }),
    storage: z.enum(STORAGES, { message: "Say where the key is stored" }),
    sharedWith: list,
    issuedAt: isoDate,
    expiresAt: isoDate.optional().or(z.literal("").transform(() => undefined)),
    fingerprint: FingerprintSchema.optional().or(z.literal("").transform(() => undefined)),
  })
  .superRefine((v, ctx) => {
    if (!v.holderUserId && !v.holderService) ctx.addIssue({ code: "custom", path: ["holderService"], message: "Name the holder: a user of the organisation or a service" });
    if (v.holderUserId && v.holderService) ctx.addIssue({ code: "custom", path: ["holderService"], message: "Choose a user or a service, not both" });
    if (v.expiresAt && v.expiresAt <= v.issuedAt) ctx.addIssue({ code: "custom", path: ["expiresAt"], message: "It must expire after it was issued" });
  });
export type CredentialRegister = z.infer<typeof CredentialRegisterSchema>;

// ---- Entitlements and the inventory list (additive: entitlements page, /credentials, /credentials.csv) ----

/** The entitlements form: model names or "@ga", endpoint names or "*"; both may be empty (no access). */
export const EntitlementsSchema = z.object({
  models: list.transform((v) => [...new Set(v)].sort()),
  endpoints: list.transform((v) => [...new Set(v)].sort()),
});
export type EntitlementsInput = z.infer<typeof EntitlementsSchema>;

/** "every GA model, atlas-2" — a grant or an entitlement in words. */
export function describeModels(models: readonly string[]): string {
  if (models.length === 0) return "none";
  return models.map((m) => (m === ALL_GA ? "every GA model" : m)).join(", ");
}
export function describeEndpoints(endpoints: readonly string[]): string {
  if (endpoints.length === 0) return "none";
  return endpoints.map((e) => (e === ALL_ENDPOINTS ? "every endpoint" : e)).join(", ");
}

/** Inventory flags (all must hold when several are chosen). Evaluated in SQL for the list and CSV. */
export const CREDENTIAL_FLAGS = ["overdue", "due_soon", "never_used", "unused", "expiring", "shared", "outside_vault"] as const;
export type CredentialFlag = (typeof CREDENTIAL_FLAGS)[number];
export const FLAG_LABELS: Record<CredentialFlag, string> = {
  overdue: "Rotation overdue",
  due_soon: "Rotation due soon",
  never_used: "Never used",
  unused: "Unused past policy",
  expiring: "Expiring in 14 days",
  shared: "Shared with a contractor",
  outside_vault: "Stored outside a secrets manager",
};

export const INVENTORY_SORTS = ["keyId", "org", "age", "lastUsed", "rotationDue", "status"] as const;
export type InventorySort = (typeof INVENTORY_SORTS)[number];
export const SORT_LABELS: Record<InventorySort, string> = { keyId: "Key id", org: "Organisation", age: "Age", lastUsed: "Last used", rotationDue: "Rotation due", status: "Status" };

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values).optional().catch(undefined);

/**
 * The inventory's query string (list and CSV alike). Malformed or unknown values are ignored, never
 * refused (as on the other list pages): a stale bookmark still opens, just less filtered.
 * `flag` may repeat; pass URLSearchParams through inventoryQueryInput() first.
 */
export const InventoryQuerySchema = z.object({
  org: z.string().trim().max(120).optional().catch(undefined).transform((v) => v || undefined),
  tier: oneOf(["restricted", "standard"] as const),
  status: oneOf(CREDENTIAL_STATUSES),
  model: z.string().trim().max(80).optional().catch(undefined).transform((v) => v || undefined),
  flag: z
    .array(z.string())
    .optional()
    .catch(undefined)
    .transform((v) => [...new Set((v ?? []).filter((f): f is CredentialFlag => (CREDENTIAL_FLAGS as readonly string[]).includes(f)))]),
  sort: oneOf(INVENTORY_SORTS).transform((v) => v ?? "keyId"),
  dir: oneOf(["asc", "desc"] as const).transform((v) => v ?? "asc"),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type InventoryQuery = z.infer<typeof InventoryQuerySchema>;

/** URLSearchParams → the object InventoryQuerySchema parses (the repeated `flag` kept as a list). */
export function inventoryQueryInput(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["org", "tier", "status", "model", "sort", "dir", "page"]) {
    const v = params.get(key);
    if (v != null) out[key] = v;
  }
  out.flag = params.getAll("flag");
  return out;
}
