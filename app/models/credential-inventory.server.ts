import { and, asc, count, desc, eq, inArray, ne, notInArray, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "../../db/client";
import { catalogEndpoints, credentialRotations, credentials, credentialShares, organizations, policies, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { can } from "~/domain/permissions";
import type { CredentialFlag, CredentialRegister, InventoryQuery } from "~/domain/credential";
import { ALL_ENDPOINTS, ALL_GA, describeUncovered, uncovered } from "~/domain/grant";
import { credentialHygiene, DAY_MS, DUE_SOON_DAYS, EXPIRING_SOON_DAYS, type CredentialHygiene } from "~/domain/credential-policy";
import { DEFAULT_POLICIES, type Policy } from "~/domain/policy";
import type { OrgTier } from "~/domain/organization";
import { writeAudit } from "./audit.server";
import { credentialQuery } from "./credential.server";
import { catalogRefs, getEntitlements, outsideEntitlements } from "./entitlement.server";
import { getOrganization } from "./organization.server";
import { enqueueEvent } from "./outbox.server";
import { listPolicies } from "./policy.server";
import { attestationGateMessage } from "./attestation-policy.server";
import { scopeFor, scopeWhere } from "./scope.server";
import { pageWindow } from "~/domain/pagination";

// Registration and the inventory list (page and CSV). Lifecycle changes (rotate, suspend, revoke,
// narrow/widen) live in credential-lifecycle.server.ts; single reads in credential.server.ts.

// ---------------------------------------------------------------------------------------------
// The policy arithmetic in SQL. It must agree with credentialHygiene() (domain/credential-policy):
// tests/db/credential-inventory.test.ts checks both on the same rows, thresholds included.
// ---------------------------------------------------------------------------------------------

/** The tier's policy value, falling back to the defaults for a tier never saved (as listPolicies does). */
function policyValue(column: typeof policies.maxCredentialAgeDays | typeof policies.unusedThresholdDays, field: "maxCredentialAgeDays" | "unusedThresholdDays") {
  return sql<number>`coalesce(${column}, case ${organizations.tier} when 'restricted' then ${DEFAULT_POLICIES.restricted[field]} else ${DEFAULT_POLICIES.standard[field]} end)`;
}
const maxAgeDays = policyValue(policies.maxCredentialAgeDays, "maxCredentialAgeDays");
const unusedDays = policyValue(policies.unusedThresholdDays, "unusedThresholdDays");
/** Age counts from the last rotation, or from issue. */
const since = sql<number>`coalesce(${credentials.lastRotatedAt}, ${credentials.issuedAt})`;
const rotationDueAt = sql<number>`(${since} + ${maxAgeDays} * ${DAY_MS})`;

/** Revoked, or expired by status or by date: no rotation needed. */
const isDead = (now: number) =>
  sql`(${credentials.status} in ('revoked', 'expired') or (${credentials.expiresAt} is not null and ${credentials.expiresAt} <= ${now}))`;
const effectiveStatus = (now: number) =>
  sql<string>`(case when ${credentials.status} = 'revoked' then 'revoked' when ${credentials.status} = 'expired' or (${credentials.expiresAt} is not null and ${credentials.expiresAt} <= ${now}) then 'expired' else ${credentials.status} end)`;

function flagCondition(flag: CredentialFlag, now: number): SQL {
  switch (flag) {
    case "overdue":
      return sql`(not ${isDead(now)} and ${rotationDueAt} <= ${now})`;
    case "due_soon":
      return sql`(not ${isDead(now)} and ${rotationDueAt} > ${now} and ${rotationDueAt} <= ${now + DUE_SOON_DAYS * DAY_MS})`;
    case "never_used":
      return sql`${credentials.lastUsedAt} is null`;
    case "unused":
      return sql`(${credentials.lastUsedAt} is not null and ${credentials.lastUsedAt} <= ${now} - ${unusedDays} * ${DAY_MS})`;
    case "expiring":
      return sql`(${credentials.expiresAt} is not null and ${credentials.expiresAt} > ${now} and ${credentials.expiresAt} <= ${now + EXPIRING_SOON_DAYS * DAY_MS})`;
    case "shared":
      return sql`exists (select 1 from ${credentialShares} where ${credentialShares.credentialId} = ${credentials.id})`;
    case "outside_vault":
      return ne(credentials.storage, "secrets_manager");
  }
}

/** The model filter: the grant names the model, or holds "@ga" and the model is generally available. */
function modelCondition(model: string): SQL {
  return sql`exists (select 1 from json_each(${credentials.grantModels}) as g where g.value = ${model} or (g.value = ${ALL_GA} and exists (select 1 from catalog_models as m where m.name = ${model} and m.status = 'ga')))`;
}

/** The list's filters and sort; everything optional (sort defaults to key id ascending). */
export type InventoryFilter = Partial<Omit<InventoryQuery, "page">>;

function inventoryWhere(actor: Actor, f: InventoryFilter, now: number) {
  const conds: (SQL | undefined)[] = [scopeWhere(scopeFor(actor), credentials.orgId)];
  if (f.org) conds.push(eq(organizations.slug, f.org));
  if (f.tier) conds.push(eq(organizations.tier, f.tier));
  if (f.status) conds.push(sql`${effectiveStatus(now)} = ${f.status}`);
  if (f.model) conds.push(modelCondition(f.model));
  for (const flag of f.flag ?? []) conds.push(flagCondition(flag, now));
  return and(...conds);
}

function inventoryOrder(f: InventoryFilter, now: number): SQL[] {
  const dir = f.dir === "desc" ? desc : asc;
  const tie = asc(credentials.keyId);
  switch (f.sort) {
    case "org":
      return [dir(organizations.name), tie];
    case "age": // older first = earlier start
      return [f.dir === "desc" ? asc(since) : desc(since), tie];
    case "lastUsed":
      return [dir(credentials.lastUsedAt), tie];
    case "rotationDue": // revoked/expired (no due date) always last
      return [asc(isDead(now)), dir(rotationDueAt), tie];
    case "status":
      return [dir(effectiveStatus(now)), tie];
    default:
      return [dir(credentials.keyId)];
  }
}

export type InventoryRow = ReturnType<typeof toInventoryRows>[number];

function toInventoryRows(rows: ReturnType<typeof selectInventory>, now: Date) {
  const policyByTier = new Map<string, Policy>(listPolicies().map((p) => [p.tier, p]));
  const shares = new Map<string, { slug: string; name: string }[]>();
  if (rows.length) {
    const all = getDb()
      .select({ credentialId: credentialShares.credentialId, slug: organizations.slug, name: organizations.name })
      .from(credentialShares)
      .innerJoin(organizations, eq(credentialShares.orgId, organizations.id))
      .where(
        inArray(
          credentialShares.credentialId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(organizations.slug))
      .all();
    for (const s of all) (shares.get(s.credentialId) ?? shares.set(s.credentialId, []).get(s.credentialId)!).push({ slug: s.slug, name: s.name });
  }
  return rows.map((r) => {
    const policy = policyByTier.get(r.orgTier)!;
    const hygiene: CredentialHygiene = credentialHygiene(r, policy, now);
    return {
      id: r.id,
      keyId: r.keyId,
      label: r.label,
      orgId: r.orgId,
      orgSlug: r.orgSlug,
      orgName: r.orgName,
      orgTier: r.orgTier,
      holder: r.holderName ?? r.holderService ?? null,
      holderEmail: r.holderEmail,
      holderIsService: !r.holderUserId,
      grantModels: r.grantModels,
      grantEndpoints: r.grantEndpoints,
      environment: r.environment,
      storage: r.storage,
      status: r.status,
      issuedAt: r.issuedAt,
      expiresAt: r.expiresAt,
      lastRotatedAt: r.lastRotatedAt,
      lastUsedAt: r.lastUsedAt,
      lastUsedIp: r.lastUsedIp,
      lastUsedUserAgent: r.lastUsedUserAgent,
      sharedWith: shares.get(r.id) ?? [],
      maxAgeDays: policy.maxCredentialAgeDays,
      unusedThresholdDays: policy.unusedThresholdDays,
      hygiene,
    };
  });
}

function selectInventory(actor: Actor, f: InventoryFilter, now: Date, limit: number, offset: number) {
  const t = now.getTime();
  return credentialQuery()
    .leftJoin(policies, eq(policies.tier, organizations.tier))
    .where(inventoryWhere(actor, f, t))
    .orderBy(...inventoryOrder(f, t))
    .limit(limit)
    .offset(offset)
    .all();
}

function countInventory(actor: Actor, f: InventoryFilter, now: Date) {
  return (
    getDb()
      .select({ n: count() })
      .from(credentials)
      .innerJoin(organizations, eq(credentials.orgId, organizations.id))
      .leftJoin(policies, eq(policies.tier, organizations.tier))
      .where(inventoryWhere(actor, f, now.getTime()))
      .get()?.n ?? 0
  );
}

/**
 * The inventory in the actor's scope (internal: all; a partner: its own and its contractors'; a
 * contractor: its own), filtered and sorted in SQL and paginated on the server. Each row carries
 * credentialHygiene() computed with the same `now`.
 */
export function listCredentials(actor: Actor, f: InventoryFilter & { page?: number }, now: Date, pageSize = 25) {
  const total = countInventory(actor, f, now);
  const { page, pageCount } = pageWindow(total, f.page ?? 1, pageSize);
  const rows = toInventoryRows(selectInventory(actor, f, now, pageSize, (page - 1) * pageSize), now);
  return { rows, total, page, pageCount };
}

/** Every matching row, read in batches (the CSV export): memory stays flat however large the inventory. */
export function* iterateCredentials(actor: Actor, f: InventoryFilter, now: Date, batchSize = 1000): Generator<InventoryRow[]> {
  for (let offset = 0; ; offset += batchSize) {
    const rows = toInventoryRows(selectInventory(actor, f, now, batchSize, offset), now);
    if (rows.length) yield rows;
    if (rows.length < batchSize) return;
  }
}

/** Organisations in the actor's scope, for the filter and (vendor managers) the registration picker. */
export function listCredentialOrgOptions(actor: Actor) {
  return getDb()
    .select({ slug: organizations.slug, name: organizations.name, status: organizations.status })
    .from(organizations)
    .where(scopeWhere(scopeFor(actor), organizations.id))
    .orderBy(asc(organizations.name))
    .all();
}

// ---------------------------------------------------------------------------------------------
// CSV export
// ---------------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  "keyId",
  "org",
  "label",
  "holder",
  "grantModels",
  "endpoints",
  "environment",
  "storage",
  "status",
  "issuedAt",
  "lastRotatedAt",
  "ageDays",
  "rotationDueAt",
  "rotationState",
  "lastUsedAt",
  "lastUsedIp",
  "lastUsedUserAgent",
  "usageState",
  "expiresAt",
  "sharedWith",
] as const;

/**
 * One CSV cell: RFC 4180 quoting (quotes doubled; quoted when it holds a comma, quote, CR or LF),
 * and a spreadsheet formula guard: a cell starting with = + - @ (or tab/CR) is prefixed with '.
 */
export function csvCell(value: string | number | null | undefined): string {
  let s = value == null ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csvLine = (cells: readonly (string | number | null | undefined)[]) => `${cells.map(csvCell).join(",")}\r\n`;

const iso = (d: Date | null) => (d ? d.toISOString() : "");

export function csvRecord(r: InventoryRow): (string | number | null)[] {
  const h = r.hygiene;
  return [
    r.keyId,
    r.orgSlug,
    r.label,
    r.holder,
    r.grantModels.join(";"),
    r.grantEndpoints.join(";"),
    r.environment,
    r.storage,
    h.effectiveStatus,
    iso(r.issuedAt),
    iso(r.lastRotatedAt),
    h.ageDays,
    iso(h.rotationDueAt),
    h.rotationState,
    iso(r.lastUsedAt),
    r.lastUsedIp,
    r.lastUsedUserAgent,
    h.usageState,
    iso(r.expiresAt),
    r.sharedWith.map((s) => s.slug).join(";"),
  ];
}

/** The CSV, header first, as lines produced batch by batch (the route streams them). */
export function* credentialsCsv(actor: Actor, f: InventoryFilter, now: Date): Generator<string> {
  yield csvLine(CSV_COLUMNS);
  for (const batch of iterateCredentials(actor, f, now)) yield batch.map((r) => csvLine(csvRecord(r))).join("");
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

export type RegistrationOrg = { id: string; slug: string; name: string; kind: "partner" | "contractor"; status: string; tier: OrgTier };

/**
 * The organisation a registration goes into. Vendor managers (create:credential:any) name any org;
 * partner users (create:credential:own) register into their own org only. Another tenant's org (out
 * of scope) is not_found (404, as everywhere: slugs cannot be probed); an org the partner can see but
 * does not belong to (its contractor) is forbidden (403): partner users act only on their own org.
 */
export function registrationTarget(actor: Actor, orgSlug: string | undefined): { ok: true; org: RegistrationOrg } | { ok: false; reason: "choose" | "not_found" | "forbidden" } {
  const any = can(actor, "create:credential:any");
  const slug = orgSlug || (any ? undefined : (actor.orgSlug ?? undefined));
  if (!slug) return { ok: false, reason: any ? "choose" : "forbidden" };
  const org = getOrganization(actor, slug);
  if (!org) return { ok: false, reason: "not_found" };
  if (!any && (!can(actor, "create:credential:own") || org.id !== actor.orgId)) return { ok: false, reason: "forbidden" };
  return { ok: true, org: { id: org.id, slug: org.slug, name: org.name, kind: org.kind, status: org.status, tier: org.tier } };
}

const CLOSED_STATUSES = ["suspended", "offboarded"];

/** What the registration form offers for one organisation: holders, the grant within its entitlements, contractors to share with. */
export function registrationOptions(org: RegistrationOrg) {
  const db = getDb();
  const ent = getEntitlements(org.id);
  const catalog = catalogRefs();
  const endpoints = db.select({ name: catalogEndpoints.name }).from(catalogEndpoints).orderBy(asc(catalogEndpoints.name)).all();
  const within = (models: string[], eps: string[]) => {
    const u = uncovered({ models, endpoints: eps }, ent, catalog);
    return u.models.length === 0 && u.endpoints.length === 0;
  };
  return {
    entitlements: ent,
    holders: db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(users)
      .where(and(eq(users.orgId, org.id), eq(users.status, "active")))
      .orderBy(asc(users.name))
      .all(),
    models: [
      ...(within([ALL_GA], []) ? [{ name: ALL_GA, status: "ga" as const }] : []),
      ...catalog.filter((m) => m.status !== "retired" && within([m.name], [])),
    ],
    endpoints: [...(within([], [ALL_ENDPOINTS]) ? [ALL_ENDPOINTS] : []), ...endpoints.map((e) => e.name).filter((e) => within([], [e]))],
    contractors:
      org.kind === "partner"
        ? db
            .select({ slug: organizations.slug, name: organizations.name })
            .from(organizations)
            .where(and(eq(organizations.parentId, org.id), notInArray(organizations.status, ["offboarded"])))
            .orderBy(asc(organizations.name))
            .all()
        : [],
    closed: CLOSED_STATUSES.includes(org.status),
  };
}

export type RegisterResult = { ok: true; keyId: string } | { ok: false; errors: Record<string, string[]> };

const dayStart = (d: string) => {
  const t = new Date(`${d}T00:00:00.000Z`);
  return Number.isNaN(t.getTime()) || !t.toISOString().startsWith(d) ? null : t;
};

function isKeyIdConflict(err: unknown) {
  return err instanceof Error && /UNIQUE constraint failed: credentials\.key_id/.test(err.message);
}
const KEY_TAKEN = "This key id is already registered.";

/**
 * Registers a credential into `org` (from registrationTarget). Checked: the org is open (not suspended
 * or offboarded); the key id is unused across the portal (current and rotated-away key ids); the
 * holder is an active user of the org; grant names exist and lie within the org's entitlements; it is
 * shared only with contractors this org sponsors; dates are real. Writes the credential, its shares,
 * the audit row and the outbox event in one transaction.
 */
export function registerCredential(ctx: ActionContext & { actor: Actor }, org: RegistrationOrg, input: CredentialRegister): RegisterResult {
  try {
    return insertRegistration(ctx, org, input);
  } catch (err) {
    // Another process registered the same key id between the check and the insert: the unique index decides.
    if (isKeyIdConflict(err)) return { ok: false, errors: { keyId: [KEY_TAKEN] } };
    throw err;
  }
}

function insertRegistration(ctx: ActionContext & { actor: Actor }, org: RegistrationOrg, input: CredentialRegister): RegisterResult {
  const db = getDb();
  const now = ctx.now ?? new Date();
  const errors: Record<string, string[]> = {};
  const fail = (field: string, message: string) => void (errors[field] ??= []).push(message);
  const catalog = catalogRefs();

  const issuedAt = dayStart(input.issuedAt);
  const expiresAt = input.expiresAt ? dayStart(input.expiresAt) : null;
  if (!issuedAt) fail("issuedAt", "Not a real date");
  else if (issuedAt.getTime() > now.getTime()) fail("issuedAt", "It cannot be issued in the future");
  if (input.expiresAt && !expiresAt) fail("expiresAt", "Not a real date");

  const models = [...new Set(input.grantModels)];
  const endpoints = [...new Set(input.grantEndpoints)];
  const unknownModels = models.filter((m) => m !== ALL_GA && !catalog.some((c) => c.name === m));
  const knownEndpoints = new Set(db.select({ name: catalogEndpoints.name }).from(catalogEndpoints).all().map((e) => e.name));
  const unknownEndpoints = endpoints.filter((e) => e !== ALL_ENDPOINTS && !knownEndpoints.has(e));
  if (unknownModels.length) fail("grantModels", `Not in the catalog: ${unknownModels.join(", ")}`);
  if (unknownEndpoints.length) fail("grantEndpoints", `Not in the catalog: ${unknownEndpoints.join(", ")}`);

  const result = db.transaction(
    (tx): RegisterResult => {
      const current = tx.select({ status: organizations.status }).from(organizations).where(eq(organizations.id, org.id)).get();
      if (!current || CLOSED_STATUSES.includes(current.status)) fail("_form", `${org.name} is ${current?.status ?? "gone"}: it cannot register credentials.`);

      const taken =
        tx.select({ id: credentials.id }).from(credentials).where(eq(credentials.keyId, input.keyId)).get() ??
        tx
          .select({ id: credentialRotations.id })
          .from(credentialRotations)
          .where(or(eq(credentialRotations.oldKeyId, input.keyId), eq(credentialRotations.newKeyId, input.keyId)))
          .get();
      if (taken) fail("keyId", KEY_TAKEN);
      if (input.fingerprint && tx.select({ id: credentials.id }).from(credentials).where(eq(credentials.fingerprint, input.fingerprint)).get()) {
        fail("fingerprint", "A credential with this key (the same fingerprint) is already registered.");
      }

      if (input.holderUserId) {
        const holder = tx
          .select({ id: users.id })
          .from(users)
          .where(and(eq(users.id, input.holderUserId), eq(users.orgId, org.id), eq(users.status, "active")))
          .get();
        if (!holder) fail("holderUserId", `Choose an active user of ${org.name}`);
      }

      if (!unknownModels.length && !unknownEndpoints.length) {
        const outside = uncovered({ models, endpoints }, getEntitlements(org.id), catalog);
        if (outside.models.length) fail("grantModels", `Outside ${org.name}'s entitlements: ${describeUncovered({ models: outside.models, endpoints: [] })}`);
        if (outside.endpoints.length) fail("grantEndpoints", `Outside ${org.name}'s entitlements: ${describeUncovered({ models: [], endpoints: outside.endpoints })}`);
      }
      // Issue 4: a restricted-tier organisation without a current accepted attestation gets no restricted model.
      const gate = attestationGateMessage(org, models, now);
      if (gate) fail("grantModels", gate);

      const shareSlugs = [...new Set(input.sharedWith)];
      const shares = shareSlugs.length
        ? tx
            .select({ id: organizations.id, slug: organizations.slug })
            .from(organizations)
            .where(and(inArray(organizations.slug, shareSlugs), eq(organizations.kind, "contractor"), eq(organizations.parentId, org.id), ne(organizations.status, "offboarded")))
            .all()
        : [];
      const notSponsored = shareSlugs.filter((s) => !shares.some((x) => x.slug === s));
      if (notSponsored.length) fail("sharedWith", `Share only with contractors ${org.name} sponsors (not ${notSponsored.join(", ")})`);
      // Sharing hands the contractor the grant: it must fit the contractor's own entitlements too.
      for (const share of shares) {
        const outside = outsideEntitlements(share.id, { models, endpoints }, catalog);
        if (outside) fail("sharedWith", `${share.slug} is not entitled to ${describeUncovered(outside)}: narrow the grant or do not share it`);
      }

      if (Object.keys(errors).length) return { ok: false, errors };

      const id = crypto.randomUUID();
      tx.insert(credentials)
        .values({
          id,
          keyId: input.keyId,
          fingerprint: input.fingerprint ?? null,
          orgId: org.id,
          label: input.label,
          holderUserId: input.holderUserId ?? null,
          holderService: input.holderService ?? null,
          grantModels: models,
          grantEndpoints: endpoints,
          environment: input.environment,
          storage: input.storage,
          status: "active",
          issuedAt: issuedAt!,
          expiresAt,
          createdById: ctx.actor.id,
          createdAt: now,
          updatedAt: now,
        })
        .run();
      if (shares.length) tx.insert(credentialShares).values(shares.map((s) => ({ credentialId: id, orgId: s.id }))).run();
      // The fingerprint is a hash of the secret: the audit row says only whether one was given.
      writeAudit(tx, ctx, {
        action: "credential.registered",
        targetType: "credential",
        targetId: id,
        orgId: org.id,
        details: {
          keyId: input.keyId,
          org: org.slug,
          label: input.label,
          holder: input.holderUserId ? { userId: input.holderUserId } : { service: input.holderService },
          grantModels: models,
          grantEndpoints: endpoints,
          environment: input.environment,
          storage: input.storage,
          sharedWith: shares.map((s) => s.slug),
          issuedAt: input.issuedAt,
          expiresAt: input.expiresAt ?? null,
          fingerprint: Boolean(input.fingerprint),
        },
      });
      enqueueEvent(tx, "credential.registered", { keyId: input.keyId, org: org.slug, label: input.label }, { orgId: org.id, now });
      return { ok: true, keyId: input.keyId };
    },
    { behavior: "immediate" },
  );
  return result;
}
