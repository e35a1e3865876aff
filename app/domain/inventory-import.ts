import { z } from "zod";
import { EndpointSchema, HTTP_METHODS, MODEL_STATUSES, ModelSchema, parseAliases, type ModelStatus } from "./catalog";
import { CREDENTIAL_STATUSES, ENVIRONMENTS, FingerprintSchema, KeyIdSchema, STORAGES, type Environment, type Storage } from "./credential";
import { ALL_ENDPOINTS, ALL_GA, describeUncovered, uncovered, type CatalogModelRef } from "./grant";
import type { CredentialStatus } from "./credential-policy";
import { ORG_KINDS, ORG_STATUSES, ORG_TIERS, SlugSchema, type OrgKind, type OrgStatus, type OrgTier } from "./organization";
import { isInternalRole, ROLES, type Role } from "./roles";
import { EmailSchema } from "./user";

// `keyward import-inventory`: the document's shape (DESIGN.md "Contracts"), the CSV's columns, and the
// validation of a whole file against what the database already holds. Pure: the caller passes a
// snapshot of the database and `now`, and gets back either a plan (what to create or update, with
// the changes) or every bad row with its row number and reason. Nothing is written unless no row is bad.
//
// Row numbers: in a JSON document, the 1-based position in its list ("credentials row 3"); in a CSV,
// the spreadsheet row (the header is row 1, so the first credential is row 2).

export const INVENTORY_SECTIONS = ["models", "endpoints", "organizations", "users", "credentials"] as const;
export type InventorySection = (typeof INVENTORY_SECTIONS)[number];

export type NumberedRow = { row: number; value: unknown };
export type NumberedDocument = Record<InventorySection, NumberedRow[]>;
export type Rejection = { section: InventorySection; row: number; key: string | null; reason: string };

// ---------------------------------------------------------------------------------------------------
// Field schemas. Blank strings and nulls count as "not given" (a CSV's empty cell, a JSON null), and a
// key not given leaves the stored value as it is; unknown keys are ignored.

/** Lists in a CSV cell are separated by ";" (a "|" works too); JSON may use arrays or the same strings. */
export const LIST_SEPARATORS = /[;|]/;

export function splitList(v: string | readonly string[]): string[] {
  const parts = typeof v === "string" ? v.split(LIST_SEPARATORS) : v;
  return [...new Set(parts.map((s) => s.trim()).filter(Boolean))];
}

const listOf = (what: string) =>
  z.union([z.array(z.string({ message: `${what}: a list of names` })), z.string()], { message: `${what}: a list of names (an array, or names separated by ;)` }).transform(splitList);
const lowerList = (what: string) => listOf(what).transform((v) => [...new Set(v.map((s) => s.toLowerCase()))]);

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_MESSAGE = "Use an ISO date (2026-01-31) or date-time (2026-01-31T09:30:00Z)";

/** "2026-01-31" (midnight UTC) or an ISO date-time with Z or an offset; a real calendar date. */
export function parseInstant(s: string): Date | null {
  const t = s.trim();
  const day = ISO_DAY.exec(t);
  if (day) {
    const d = new Date(`${t}T00:00:00.000Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(t) ? d : null;
  }
  if (!z.iso.datetime({ offset: true }).safeParse(t).success) return null;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return null;
  // Date.parse rolls 2026-02-30T… over to March: check the written calendar date is real.
  const written = t.slice(0, 10);
  const probe = new Date(`${written}T00:00:00.000Z`);
  return probe.toISOString().startsWith(written) ? d : null;
}

const Instant = z
  .string({ message: INSTANT_MESSAGE })
  .transform((s, ctx) => {
    const d = parseInstant(s);
    if (!d) {
      ctx.addIssue({ code: "custom", message: INSTANT_MESSAGE });
      return z.NEVER;
    }
    return d;
  });
const IsoDay = z
  .string({ message: "Use a date such as 2026-01-31" })
  .trim()
  .refine((s) => ISO_DAY.test(s) && parseInstant(s) != null, "Use a date such as 2026-01-31");

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { message: `one of ${values.join(", ")}` });
/** A lowercase choice, forgiving how a spreadsheet writes it: "Secrets manager" → secrets_manager. */
const choice = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase().replace(/[\s-]+/g, "_") : v), oneOf(values));

/** Drops null, undefined and blank-string values so that they read as "not given". */
function compact(v: unknown): unknown {
  if (v == null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x != null && !(typeof x === "string" && x.trim() === "")));
}
const row = <T extends z.ZodRawShape>(shape: T) => z.preprocess(compact, z.object(shape, { message: "expected an object with named fields" }));

// Entitlements: a list of model names or "@ga" (then every endpoint), or { models, endpoints }.
const EntitlementsField = z.union([listOf("entitlements"), z.object({ models: lowerList("entitlements.models").optional(), endpoints: lowerList("entitlements.endpoints").optional() })]).transform((v) =>
  Array.isArray(v) ? { models: sortedUnique(v.map((s) => s.toLowerCase())), endpoints: [ALL_ENDPOINTS] } : { models: sortedUnique(v.models ?? []), endpoints: sortedUnique(v.endpoints ?? [ALL_ENDPOINTS]) },
);

export const ImportModelSchema = row({
  name: ModelSchema.shape.name,
  status: choice(MODEL_STATUSES).optional(),
  aliases: z
    .union([z.string(), z.array(z.string())], { message: "a list of aliases" })
    .transform((a) => parseAliases(a))
    .pipe(z.array(ModelSchema.shape.name).max(20, "At most 20 aliases"))
    .optional(),
  description: z.string().trim().max(500, "At most 500 characters").optional(),
});

export const ImportEndpointSchema = z.preprocess(
  (v) => {
    const c = compact(v);
    if (c == null || typeof c !== "object" || Array.isArray(c)) return c;
    const o = c as Record<string, unknown>;
    return { ...o, path: o.path ?? o.pathTemplate, methods: typeof o.methods === "string" ? o.methods.split(/[\s,;|]+/).filter(Boolean) : o.methods };
  },
  z.object({
    name: EndpointSchema.shape.name,
    methods: z
      .array(z.string())
      .transform((ms) => ms.map((m) => m.trim().toUpperCase()))
      .pipe(z.array(oneOf(HTTP_METHODS)).min(1, "Pick at least one method"))
      .transform((ms) => HTTP_METHODS.filter((m) => ms.includes(m)) as string[])
      .optional(),
    path: EndpointSchema.shape.pathTemplate.optional(),
  }),
);

export const ImportOrganizationSchema = row({
  slug: SlugSchema,
  name: z.string().trim().min(2, "at least 2 characters").max(120, "At most 120 characters").optional(),
  kind: choice(ORG_KINDS).optional(),
  parent: SlugSchema.optional(),
  tier: choice(ORG_TIERS).optional(),
  status: choice(ORG_STATUSES).optional(),
  agreementStart: IsoDay.optional(),
  agreementEnd: IsoDay.optional(),
  contactEmail: EmailSchema.optional(),
  entitlements: EntitlementsField.optional(),
});

export const ImportUserSchema = row({
  email: EmailSchema,
  name: z.string().trim().min(1).max(120, "At most 120 characters").optional(),
  org: SlugSchema.optional(),
  role: choice(ROLES).optional(),
});

export const ImportCredentialSchema = row({
  keyId: KeyIdSchema,
  org: SlugSchema.optional(),
  label: z.string().trim().min(2, "at least 2 characters").max(120, "At most 120 characters").optional(),
  holder: z.string().trim().max(254, "At most 254 characters").optional(),
  grant: lowerList("grant").pipe(z.array(z.string()).min(1, "grant at least one model (or @ga)")).optional(),
  endpoints: lowerList("endpoints").pipe(z.array(z.string()).min(1, "at least one endpoint (or *)")).optional(),
  environment: choice(ENVIRONMENTS).optional(),
  storage: choice(STORAGES).optional(),
  status: choice(CREDENTIAL_STATUSES).optional(),
  issuedAt: Instant.optional(),
  lastRotatedAt: Instant.optional(),
  expiresAt: Instant.optional(),
  revokedAt: Instant.optional(),
  revokedReason: z.string().trim().max(500, "At most 500 characters").optional(),
  fingerprint: FingerprintSchema.optional(),
  sharedWith: lowerList("sharedWith").optional(),
  lastUsedAt: Instant.optional(),
  lastUsedIp: z.union([z.ipv4(), z.ipv6()], { message: "an IPv4 or IPv6 address" }).optional(),
  lastUsedUserAgent: z.string().max(512, "At most 512 characters").optional(),
});

export type ImportModel = z.infer<typeof ImportModelSchema>;
export type ImportEndpoint = z.infer<typeof ImportEndpointSchema>;
export type ImportOrganization = z.infer<typeof ImportOrganizationSchema>;
export type ImportUser = z.infer<typeof ImportUserSchema>;
export type ImportCredential = z.infer<typeof ImportCredentialSchema>;

// ---------------------------------------------------------------------------------------------------
// Reading a file into numbered rows.

export type DocumentResult = { ok: true; doc: NumberedDocument; ignoredColumns: string[] } | { ok: false; error: string };

const emptyDocument = (): NumberedDocument => ({ models: [], endpoints: [], organizations: [], users: [], credentials: [] });

/** A parsed JSON value → numbered rows. Sections may be missing; anything else at the top level is ignored. */
export function documentFromJson(value: unknown): DocumentResult {
  if (value == null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: `the file must hold one JSON object with any of the lists ${INVENTORY_SECTIONS.join(", ")}` };
  }
  const doc = emptyDocument();
  const o = value as Record<string, unknown>;
  for (const section of INVENTORY_SECTIONS) {
    const list = o[section];
    if (list == null) continue;
    if (!Array.isArray(list)) return { ok: false, error: `"${section}" must be a list` };
    doc[section] = list.map((v, i) => ({ row: i + 1, value: v }));
  }
  if (INVENTORY_SECTIONS.every((s) => o[s] == null)) return { ok: false, error: `nothing to import: the object has none of the lists ${INVENTORY_SECTIONS.join(", ")}` };
  return { ok: true, doc, ignoredColumns: [] };
}

/** The CSV's columns: the credential fields of the JSON document. */
export const CSV_COLUMNS = [
  "keyId",
  "org",
  "label",
  "holder",
  "grant",
  "endpoints",
  "environment",
  "storage",
  "status",
  "issuedAt",
  "lastRotatedAt",
  "expiresAt",
  "revokedAt",
  "revokedReason",
  "fingerprint",
  "sharedWith",
  "lastUsedAt",
  "lastUsedIp",
  "lastUsedUserAgent",
] as const;

const normaliseHeader = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, "");
const COLUMN_BY_HEADER = new Map<string, string>(CSV_COLUMNS.map((c) => [normaliseHeader(c), c]));

/**
 * A credentials CSV (already split into cells; the first record is the header) → numbered rows.
 * Headers match the JSON names case-insensitively, ignoring spaces, dashes and underscores (key_id,
 * Key ID); unknown columns are ignored and listed; rows whose cells are all blank are skipped.
 */
export function documentFromCsv(records: readonly (readonly string[])[]): DocumentResult {
  if (records.length === 0) return { ok: false, error: "the CSV is empty: its first row must name the columns (keyId, org, grant, …)" };
  const [header, ...data] = records;
  const columns = header.map((h) => COLUMN_BY_HEADER.get(normaliseHeader(h.replace(/^\uFEFF/, ""))) ?? null);
  if (!columns.includes("keyId")) return { ok: false, error: `the CSV's header row has no keyId column (it has: ${header.join(", ") || "nothing"}); columns are ${CSV_COLUMNS.join(", ")}` };
  const seen = new Set<string>();
  for (const c of columns) {
    if (c && seen.has(c)) return { ok: false, error: `the CSV's header names the column ${c} twice` };
    if (c) seen.add(c);
  }
  const doc = emptyDocument();
  data.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === "")) return;
    const value: Record<string, string> = {};
    columns.forEach((c, j) => {
      if (c && cells[j] != null) value[c] = cells[j];
    });
    doc.credentials.push({ row: i + 2, value });
  });
  const ignoredColumns = header.filter((_, j) => columns[j] === null && header[j].trim() !== "");
  return { ok: true, doc, ignoredColumns };
}

// ---------------------------------------------------------------------------------------------------
// What the database holds (the snapshot) and what the import will make of it (the plan).

export type EntitlementSet = { models: string[]; endpoints: string[] };

export type ModelState = { name: string; status: ModelStatus; aliases: string[]; description: string | null };
export type EndpointState = { name: string; methods: string[]; pathTemplate: string };
export type OrgState = {
  slug: string;
  name: string;
  kind: OrgKind;
  parent: string | null;
  tier: OrgTier;
  status: OrgStatus;
  agreementStart: string | null;
  agreementEnd: string | null;
  contactEmail: string | null;
  entitlements: EntitlementSet;
};
export type UserState = { email: string; name: string; org: string | null; role: Role };
export type CredentialState = {
  keyId: string;
  org: string;
  label: string;
  holderEmail: string | null;
  holderService: string | null;
  grantModels: string[];
  grantEndpoints: string[];
  environment: Environment;
  storage: Storage;
  status: CredentialStatus;
  issuedAt: Date;
  expiresAt: Date | null;
  lastRotatedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  fingerprint: string | null;
  sharedWith: string[];
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  lastUsedUserAgent: string | null;
};

export type InventorySnapshot = {
  models: (ModelState & { id: string })[];
  endpoints: (EndpointState & { id: string })[];
  organizations: (OrgState & { id: string })[];
  users: (UserState & { id: string; status: "invited" | "active" | "deactivated" })[];
  credentials: (CredentialState & { id: string })[];
  /** Key ids a rotation retired: they stay recognisable and cannot be registered again. */
  retiredKeyIds: string[];
};

export type Change = { from: unknown; to: unknown };
/** One row of the file as it will be applied: `existingId` null means create; no changes means unchanged. */
export type Planned<T> = { row: number; key: string; existingId: string | null; next: T; changes: Record<string, Change> };
export type InventoryPlan = {
  models: Planned<ModelState>[];
  endpoints: Planned<EndpointState>[];
  organizations: Planned<OrgState>[];
  users: Planned<UserState>[];
  credentials: Planned<CredentialState>[];
};
export type ValidationResult = { plan: InventoryPlan; rejected: Rejection[] };

export type SectionCounts = { created: number; updated: number; unchanged: number };
export type ImportCounts = Record<InventorySection, SectionCounts>;

export function countPlan(plan: InventoryPlan): ImportCounts {
  const count = (rows: Planned<unknown>[]): SectionCounts => ({
    created: rows.filter((r) => r.existingId === null).length,
    updated: rows.filter((r) => r.existingId !== null && Object.keys(r.changes).length > 0).length,
    unchanged: rows.filter((r) => r.existingId !== null && Object.keys(r.changes).length === 0).length,
  });
  return { models: count(plan.models), endpoints: count(plan.endpoints), organizations: count(plan.organizations), users: count(plan.users), credentials: count(plan.credentials) };
}

function sortedUnique(v: readonly string[]): string[] {
  return [...new Set(v)].sort();
}

const jsonable = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/** Field-by-field differences (dates compared by instant, lists by content). */
export function diff<T extends Record<string, unknown>>(before: T | null, after: T, fields: readonly (keyof T & string)[]): Record<string, Change> {
  const out: Record<string, Change> = {};
  if (!before) return out;
  for (const f of fields) {
    const a = JSON.stringify(jsonable(before[f]));
    const b = JSON.stringify(jsonable(after[f]));
    if (a !== b) out[f] = { from: jsonable(before[f]), to: jsonable(after[f]) };
  }
  return out;
}

const MODEL_FIELDS = ["status", "aliases", "description"] as const;
const ENDPOINT_FIELDS = ["methods", "pathTemplate"] as const;
const ORG_FIELDS = ["name", "tier", "status", "agreementStart", "agreementEnd", "contactEmail", "entitlements"] as const;
const USER_FIELDS = ["name", "role"] as const;
const CREDENTIAL_FIELDS = [
  "label",
  "holderEmail",
  "holderService",
  "grantModels",
  "grantEndpoints",
  "environment",
  "storage",
  "status",
  "issuedAt",
  "expiresAt",
  "lastRotatedAt",
  "revokedAt",
  "revokedReason",
  "fingerprint",
  "sharedWith",
  "lastUsedAt",
  "lastUsedIp",
  "lastUsedUserAgent",
] as const;

function issuesText(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.map(String).join(".");
      const message = i.code === "invalid_type" && i.input === undefined ? "is required" : i.message;
      return field ? `${field}: ${message}` : message;
    })
    .join("; ");
}

const LIST_MAX = 5;
const names = (xs: string[]) => (xs.length > LIST_MAX ? `${xs.slice(0, LIST_MAX).join(", ")} and ${xs.length - LIST_MAX} more` : xs.join(", "));
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Checks every row of the document against the snapshot and the other rows, and plans the upserts:
 * organisations by slug, users by email, models and endpoints by name, credentials by keyId. All rows
 * are checked (not just up to the first bad one); the plan is only to be applied when `rejected` is empty.
 */
export function validateInventory(doc: NumberedDocument, snapshot: InventorySnapshot, now: Date): ValidationResult {
  const rejected: Rejection[] = [];
  const reject = (section: InventorySection, rowNo: number, key: string | null, reason: string) => rejected.push({ section, row: rowNo, key, reason });

  /** Schema-checks one section; a key seen twice in the file is refused on its second row. */
  function parseSection<S extends z.ZodType>(section: InventorySection, schema: S, idField: string, what: string, keyOf: (v: z.infer<S>) => string) {
    const rows: { row: number; key: string; value: z.infer<S> }[] = [];
    const failed = new Set<string>();
    const firstRow = new Map<string, number>();
    for (const r of doc[section]) {
      const res = schema.safeParse(r.value);
      if (!res.success) {
        const raw = r.value != null && typeof r.value === "object" ? (r.value as Record<string, unknown>)[idField] : undefined;
        const key = typeof raw === "string" && raw.trim() ? raw.trim() : null;
        const normalised = key && section !== "credentials" ? key.toLowerCase() : key;
        if (normalised) {
          failed.add(normalised);
          if (!firstRow.has(normalised)) firstRow.set(normalised, r.row);
        }
        reject(section, r.row, key, issuesText(res.error));
        continue;
      }
      const key = keyOf(res.data);
      const first = firstRow.get(key);
      if (first !== undefined) {
        reject(section, r.row, key, `duplicate ${what} ${key}: it already appears in row ${first}`);
        continue;
      }
      firstRow.set(key, r.row);
      rows.push({ row: r.row, key, value: res.data });
    }
    return { rows, failed };
  }

  const plan: InventoryPlan = { models: [], endpoints: [], organizations: [], users: [], credentials: [] };

  // ---- Catalog: models, then endpoints.
  const models = new Map(snapshot.models.map((m) => [m.name, m as ModelState]));
  const modelIds = new Map(snapshot.models.map((m) => [m.name, m.id]));
  const pm = parseSection("models", ImportModelSchema, "name", "model", (v) => v.name);
  for (const { row: rowNo, key, value: v } of pm.rows) {
    const existing = models.get(key) ?? null;
    if (!existing && !v.status) {
      reject("models", rowNo, key, `status is required for a new model (${MODEL_STATUSES.join(", ")})`);
      continue;
    }
    const next: ModelState = {
      name: key,
      status: v.status ?? existing!.status,
      aliases: v.aliases ? v.aliases.filter((a) => a !== key) : (existing?.aliases ?? []),
      description: v.description ?? existing?.description ?? null,
    };
    models.set(key, next);
    plan.models.push({ row: rowNo, key, existingId: modelIds.get(key) ?? null, next, changes: diff(existing, next, MODEL_FIELDS) });
  }
  // A name or alias may be used by one model only (the catalog maps logged names to models).
  for (const p of plan.models) {
    for (const other of models.values()) {
      if (other.name === p.key) continue;
      const clash = [p.next.name, ...p.next.aliases].find((n) => n === other.name || other.aliases.includes(n));
      if (clash) {
        reject("models", p.row, p.key, `“${clash}” is already used by the model ${other.name}`);
        break;
      }
    }
  }
  const catalog: CatalogModelRef[] = [...models.values()].map((m) => ({ name: m.name, status: m.status }));

  const endpoints = new Map(snapshot.endpoints.map((e) => [e.name, e as EndpointState]));
  const endpointIds = new Map(snapshot.endpoints.map((e) => [e.name, e.id]));
  const pe = parseSection("endpoints", ImportEndpointSchema, "name", "endpoint", (v) => v.name);
  for (const { row: rowNo, key, value: v } of pe.rows) {
    const existing = endpoints.get(key) ?? null;
    if (!existing && (!v.methods || !v.path)) {
      reject("endpoints", rowNo, key, "methods and path are required for a new endpoint");
      continue;
    }
    const next: EndpointState = { name: key, methods: v.methods ?? existing!.methods, pathTemplate: v.path ?? existing!.pathTemplate };
    endpoints.set(key, next);
    plan.endpoints.push({ row: rowNo, key, existingId: endpointIds.get(key) ?? null, next, changes: diff(existing, next, ENDPOINT_FIELDS) });
  }

  const unknownCatalogNames = (set: EntitlementSet) => ({
    models: set.models.filter((m) => m !== ALL_GA && !models.has(m)),
    endpoints: set.endpoints.filter((e) => e !== ALL_ENDPOINTS && !endpoints.has(e)),
  });
  const unknownText = (u: { models: string[]; endpoints: string[] }) =>
    [u.models.length ? `unknown model${u.models.length > 1 ? "s" : ""} ${names(u.models)}` : "", u.endpoints.length ? `unknown endpoint${u.endpoints.length > 1 ? "s" : ""} ${names(u.endpoints)}` : ""]
      .filter(Boolean)
      .join(" and ");

  // ---- Organisations. Pass 1 merges each row with what is stored; pass 2 checks sponsors, tiers and entitlements.
  const orgs = new Map(snapshot.organizations.map((o) => [o.slug, o as OrgState]));
  const orgIds = new Map(snapshot.organizations.map((o) => [o.slug, o.id]));
  const po = parseSection("organizations", ImportOrganizationSchema, "slug", "organisation", (v) => v.slug);
  const orgRows = new Map<string, { row: number; value: ImportOrganization }>();
  const orgBad = new Set<string>(po.failed);
  for (const { row: rowNo, key, value: v } of po.rows) {
    const existing = orgs.get(key) ?? null;
    const problems: string[] = [];
    let kind: OrgKind;
    if (existing) {
      kind = existing.kind;
      if (v.kind && v.kind !== existing.kind) problems.push(`kind cannot change by import (${key} is a ${existing.kind})`);
      if (v.parent !== undefined && v.parent !== existing.parent) problems.push(existing.parent ? `sponsor cannot change by import (${key} is sponsored by ${existing.parent})` : `${key} is a partner and has no sponsor`);
    } else {
      if (!v.name) problems.push("name is required for a new organisation");
      kind = v.kind ?? (v.parent ? "contractor" : "partner");
      if (kind === "partner" && v.parent) problems.push("a partner has no parent (sponsor)");
      if (kind === "contractor" && !v.parent) problems.push("a contractor needs a parent: its sponsoring partner's slug");
    }
    const agreementStart = v.agreementStart ?? existing?.agreementStart ?? null;
    const agreementEnd = v.agreementEnd ?? existing?.agreementEnd ?? null;
    if (agreementStart && agreementEnd && agreementEnd < agreementStart) problems.push("agreementEnd is before agreementStart");
    if (v.entitlements) {
      const u = unknownCatalogNames(v.entitlements);
      if (u.models.length || u.endpoints.length) problems.push(`entitlements name ${unknownText(u)} (not in the catalog)`);
    }
    if (problems.length) {
      orgBad.add(key);
      reject("organizations", rowNo, key, problems.join("; "));
      continue;
    }
    const next: OrgState = {
      slug: key,
      name: v.name ?? existing!.name,
      kind,
      parent: existing ? existing.parent : (v.parent ?? null),
      tier: v.tier ?? existing?.tier ?? "standard",
      status: v.status ?? existing?.status ?? "active",
      agreementStart,
      agreementEnd,
      contactEmail: v.contactEmail ?? existing?.contactEmail ?? null,
      entitlements: v.entitlements ?? existing?.entitlements ?? { models: [], endpoints: [] },
    };
    orgs.set(key, next);
    orgRows.set(key, { row: rowNo, value: v });
  }
  // Pass 2: sponsors are partners, contractors carry their sponsor's tier.
  for (const [key, { row: rowNo, value: v }] of orgRows) {
    const o = orgs.get(key)!;
    if (o.kind !== "contractor" || !o.parent) continue;
    const sponsor = orgs.get(o.parent);
    if (!sponsor) {
      if (!orgBad.has(o.parent)) reject("organizations", rowNo, key, `unknown parent organisation ${o.parent}`);
      orgBad.add(key);
      continue;
    }
    if (o.parent === key || sponsor.kind !== "partner") {
      reject("organizations", rowNo, key, `parent ${o.parent} is not a partner (only partners sponsor contractors)`);
      orgBad.add(key);
      continue;
    }
    if (v.tier && v.tier !== sponsor.tier) {
      reject("organizations", rowNo, key, `a contractor has its sponsor's tier: ${o.parent} is ${sponsor.tier}, not ${v.tier}`);
      orgBad.add(key);
      continue;
    }
    orgs.set(key, { ...o, tier: sponsor.tier });
  }
  // A partner's tier change must be carried by its stored contractors too (list them in the file).
  for (const [key, { row: rowNo }] of orgRows) {
    const o = orgs.get(key)!;
    if (o.kind !== "partner") continue;
    const lagging = [...orgs.values()].filter((c) => c.parent === key && c.tier !== o.tier && !orgRows.has(c.slug)).map((c) => c.slug);
    if (lagging.length) reject("organizations", rowNo, key, `tier ${o.tier} would differ from its contractors' (${names(lagging)}): list them in the file too`);
  }
  // A contractor's entitlements are at most its sponsor's (the final state of both).
  for (const c of orgs.values()) {
    if (c.kind !== "contractor" || !c.parent || orgBad.has(c.slug)) continue;
    const sponsor = orgs.get(c.parent);
    if (!sponsor) continue;
    const own = orgRows.get(c.slug);
    const sponsorRow = orgRows.get(c.parent);
    const ownTouched = own && (own.value.entitlements !== undefined || !orgIds.has(c.slug));
    if (!ownTouched && !sponsorRow?.value.entitlements) continue;
    const outside = uncovered(c.entitlements, sponsor.entitlements, catalog);
    if (!outside.models.length && !outside.endpoints.length) continue;
    if (ownTouched) reject("organizations", own.row, c.slug, `entitlements must be within its sponsor ${c.parent}'s; outside them: ${describeUncovered(outside)}`);
    else reject("organizations", sponsorRow!.row, c.parent, `entitlements would leave its contractor ${c.slug} outside them (${describeUncovered(outside)}): narrow the contractor's in the file too`);
  }
  for (const [key, { row: rowNo }] of orgRows) {
    if (orgBad.has(key)) continue;
    const existing = snapshot.organizations.find((o) => o.slug === key) ?? null;
    const next = orgs.get(key)!;
    plan.organizations.push({ row: rowNo, key, existingId: orgIds.get(key) ?? null, next, changes: diff(existing, next, ORG_FIELDS) });
  }
  const orgKnown = (slug: string) => orgs.has(slug) && !orgBad.has(slug);

  // ---- Users.
  const users = new Map(snapshot.users.map((u) => [u.email, u as UserState]));
  const userIds = new Map(snapshot.users.map((u) => [u.email, u.id]));
  const pu = parseSection("users", ImportUserSchema, "email", "user", (v) => v.email);
  const userBad = new Set(pu.failed);
  for (const { row: rowNo, key, value: v } of pu.rows) {
    const existing = users.get(key) ?? null;
    const problems: string[] = [];
    const org = existing ? existing.org : (v.org ?? null);
    if (existing && v.org !== undefined && v.org !== existing.org) problems.push(`${key} belongs to ${existing.org ?? "no organisation (internal)"}: import does not move people between organisations`);
    if (!existing && !v.role) problems.push(`role is required for a new user (${ROLES.join(", ")})`);
    const role = v.role ?? existing?.role;
    if (org && !orgs.has(org)) {
      if (!orgBad.has(org)) problems.push(`unknown organisation ${org}`);
    } else if (org && orgs.get(org)!.status === "offboarded" && !existing) problems.push(`${org} is offboarded`);
    if (role && isInternalRole(role) && org) problems.push(`${role} is an internal role: internal users have no org`);
    if (role && !isInternalRole(role) && !org) problems.push(`${role} needs an org (the organisation's slug)`);
    if (problems.length || !role) {
      userBad.add(key);
      if (problems.length) reject("users", rowNo, key, problems.join("; "));
      continue;
    }
    const next: UserState = { email: key, name: v.name ?? existing?.name ?? key.split("@")[0], org, role };
    users.set(key, next);
    plan.users.push({ row: rowNo, key, existingId: userIds.get(key) ?? null, next, changes: diff(existing, next, USER_FIELDS) });
  }

  // ---- Credentials.
  const stored = new Map(snapshot.credentials.map((c) => [c.keyId, c]));
  const retired = new Set(snapshot.retiredKeyIds);
  const fingerprints = new Map<string, string>();
  for (const c of snapshot.credentials) if (c.fingerprint) fingerprints.set(c.fingerprint, c.keyId);
  const fileFingerprints = new Map<string, { keyId: string; row: number }>();
  const pc = parseSection("credentials", ImportCredentialSchema, "keyId", "keyId", (v) => v.keyId);
  const credentialRowKeys = new Set(pc.rows.map((r) => r.key));
  for (const { row: rowNo, key, value: v } of pc.rows) {
    const existing = stored.get(key) ?? null;
    const problems: string[] = [];
    if (!existing && retired.has(key)) problems.push(`keyId ${key} was rotated out of use and cannot be registered again`);

    const org = v.org ?? existing?.org ?? null;
    if (!org) problems.push("org is required for a new credential");
    else if (existing && v.org && v.org !== existing.org) problems.push(`${key} belongs to ${existing.org}: a credential cannot move to another organisation`);
    const orgState = org ? orgs.get(org) : undefined;
    if (org && !orgState && !orgBad.has(org)) problems.push(`unknown organisation ${org}`);
    const orgOk = org != null && orgKnown(org);

    // Holder: an email names a user of the organisation; anything else names a service.
    let holderEmail = existing?.holderEmail ?? null;
    let holderService = existing?.holderService ?? null;
    if (v.holder) {
      if (v.holder.includes("@")) {
        const email = v.holder.toLowerCase();
        const user = users.get(email);
        if (!user) {
          if (!userBad.has(email)) problems.push(`holder ${email} is not a known user (add them to users, or name a service)`);
        } else if (org && user.org !== org) problems.push(`holder ${email} is not a user of ${org}`);
        holderEmail = email;
        holderService = null;
      } else {
        holderService = v.holder;
        holderEmail = null;
      }
    }

    if (!existing && !v.grant) problems.push("grant is required for a new credential (model names or @ga)");
    const grantModels = sortedUnique(v.grant ?? existing?.grantModels ?? []);
    const grantEndpoints = sortedUnique(v.endpoints ?? existing?.grantEndpoints ?? [ALL_ENDPOINTS]);
    const unknownGrant = unknownCatalogNames({ models: grantModels, endpoints: grantEndpoints });
    if (unknownGrant.models.length || unknownGrant.endpoints.length) problems.push(`grant names ${unknownText(unknownGrant)} (not in the catalog)`);
    else if (orgOk && grantModels.length) {
      const outside = uncovered({ models: grantModels, endpoints: grantEndpoints }, orgState!.entitlements, catalog);
      if (outside.models.length || outside.endpoints.length) problems.push(`grant outside ${org}'s entitlements: ${describeUncovered(outside)}`);
    }

    // Status and dates.
    // A revokedAt without a status means revoked.
    const status: CredentialStatus = v.status ?? (v.revokedAt ? "revoked" : (existing?.status ?? "active"));
    if (existing && (existing.status === "revoked" || existing.status === "expired") && status !== existing.status) {
      problems.push(`${key} is ${existing.status}, which is final: it cannot become ${status}`);
    }
    const issuedAt = v.issuedAt ?? existing?.issuedAt ?? now;
    const expiresAt = v.expiresAt ?? existing?.expiresAt ?? null;
    const lastRotatedAt = v.lastRotatedAt ?? existing?.lastRotatedAt ?? null;
    let revokedAt = v.revokedAt ?? existing?.revokedAt ?? null;
    if (status === "revoked" && !revokedAt) revokedAt = now;
    if (status !== "revoked" && v.revokedAt) problems.push(`revokedAt is only for a revoked credential (status is ${status})`);
    const revokedReason = status === "revoked" ? (v.revokedReason ?? existing?.revokedReason ?? null) : null;
    if (status !== "revoked" && v.revokedReason) problems.push(`revokedReason is only for a revoked credential (status is ${status})`);
    for (const [field, d] of [["issuedAt", v.issuedAt], ["lastRotatedAt", v.lastRotatedAt], ["revokedAt", v.revokedAt], ["lastUsedAt", v.lastUsedAt]] as const) {
      if (d && d.getTime() > now.getTime()) problems.push(`${field} ${d.toISOString()} is in the future`);
    }
    if (expiresAt && expiresAt.getTime() <= issuedAt.getTime()) problems.push(`expiresAt (${day(expiresAt)}) must be after issuedAt (${day(issuedAt)})`);
    if (lastRotatedAt && lastRotatedAt.getTime() < issuedAt.getTime()) problems.push(`lastRotatedAt (${day(lastRotatedAt)}) is before issuedAt (${day(issuedAt)})`);
    if (revokedAt && revokedAt.getTime() < issuedAt.getTime()) problems.push(`revokedAt (${day(revokedAt)}) is before issuedAt (${day(issuedAt)})`);
    if (v.lastUsedAt && v.lastUsedAt.getTime() < issuedAt.getTime()) problems.push(`lastUsedAt (${day(v.lastUsedAt)}) is before issuedAt (${day(issuedAt)})`);
    if ((v.lastUsedIp || v.lastUsedUserAgent) && !v.lastUsedAt) problems.push("lastUsedIp and lastUsedUserAgent need lastUsedAt");

    // Last use only moves forward: an older sighting than the stored one changes nothing.
    let lastUsedAt = existing?.lastUsedAt ?? null;
    let lastUsedIp = existing?.lastUsedIp ?? null;
    let lastUsedUserAgent = existing?.lastUsedUserAgent ?? null;
    if (v.lastUsedAt && (!lastUsedAt || v.lastUsedAt.getTime() > lastUsedAt.getTime())) {
      lastUsedAt = v.lastUsedAt;
      lastUsedIp = v.lastUsedIp ?? null;
      lastUsedUserAgent = v.lastUsedUserAgent ?? null;
    }

    // Shared only with contractors this organisation sponsors.
    const sharedWith = sortedUnique(v.sharedWith ?? existing?.sharedWith ?? []);
    if (org && v.sharedWith) {
      for (const s of sharedWith) {
        const target = orgs.get(s);
        if (!target) {
          if (!orgBad.has(s)) problems.push(`sharedWith names an unknown organisation ${s}`);
        } else if (target.kind !== "contractor" || target.parent !== org) problems.push(`sharedWith ${s} is not a contractor sponsored by ${org}`);
        else if (grantModels.length) {
          // Sharing hands the contractor the grant: it must fit the contractor's own entitlements.
          const outside = uncovered({ models: grantModels, endpoints: grantEndpoints }, target.entitlements, catalog);
          if (outside.models.length || outside.endpoints.length) problems.push(`sharedWith ${s}: the contractor is not entitled to ${describeUncovered(outside)}`);
        }
      }
    }

    // One secret, one credential: a fingerprint already on another key is a mistake (or a shared secret).
    const fingerprint = v.fingerprint ?? existing?.fingerprint ?? null;
    if (v.fingerprint) {
      const owner = fingerprints.get(v.fingerprint);
      const inFile = fileFingerprints.get(v.fingerprint);
      if (owner && owner !== key && !credentialRowKeys.has(owner)) problems.push(`fingerprint is already registered for ${owner}`);
      else if (inFile) problems.push(`fingerprint is the same as ${inFile.keyId}'s (row ${inFile.row})`);
      else fileFingerprints.set(v.fingerprint, { keyId: key, row: rowNo });
    }

    if (problems.length) {
      reject("credentials", rowNo, key, problems.join("; "));
      continue;
    }
    const next: CredentialState = {
      keyId: key,
      org: org!,
      label: v.label ?? existing?.label ?? key,
      holderEmail,
      holderService,
      grantModels,
      grantEndpoints,
      environment: v.environment ?? existing?.environment ?? "production",
      storage: v.storage ?? existing?.storage ?? "other",
      status,
      issuedAt,
      expiresAt,
      lastRotatedAt,
      revokedAt,
      revokedReason,
      fingerprint,
      sharedWith,
      lastUsedAt,
      lastUsedIp,
      lastUsedUserAgent,
    };
    plan.credentials.push({ row: rowNo, key, existingId: existing?.id ?? null, next, changes: diff(existing, next, CREDENTIAL_FIELDS) });
  }

  // Narrowed entitlements must still cover the organisation's stored live credentials not in the file.
  for (const [slug, { row: rowNo, value: v }] of orgRows) {
    if (!v.entitlements || orgBad.has(slug)) continue;
    const ent = orgs.get(slug)!.entitlements;
    const outside = snapshot.credentials
      .filter((c) => c.org === slug && !credentialRowKeys.has(c.keyId) && (c.status === "active" || c.status === "suspended"))
      .map((c) => ({ keyId: c.keyId, u: uncovered({ models: c.grantModels, endpoints: c.grantEndpoints }, ent, catalog) }))
      .filter((c) => c.u.models.length || c.u.endpoints.length);
    if (outside.length) {
      reject("organizations", rowNo, slug, `entitlements would leave credentials outside them: ${names(outside.map((c) => `${c.keyId} (${describeUncovered(c.u)})`))}; narrow or revoke them first`);
    }
  }

  rejected.sort((a, b) => INVENTORY_SECTIONS.indexOf(a.section) - INVENTORY_SECTIONS.indexOf(b.section) || a.row - b.row);
  return { plan, rejected };
}

/** "credentials row 4 (kw-live-01): grant outside helix-bio's entitlements: mythos-preview" */
export function describeRejection(r: Rejection, csv = false): string {
  return `${csv ? "row" : `${r.section} row`} ${r.row}${r.key ? ` (${r.key})` : ""}: ${r.reason}`;
}
