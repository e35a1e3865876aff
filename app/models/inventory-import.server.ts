import { createHash } from "node:crypto";
import { parse as parseCsv } from "csv-parse/sync";
import { eq, inArray } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { catalogEndpoints, catalogModels, credentialRotations, credentials, credentialShares, orgEntitlements, organizations, users } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { namesModel } from "~/domain/catalog";
import {
  countPlan,
  documentFromCsv,
  documentFromJson,
  validateInventory,
  type CredentialState,
  type DocumentResult,
  type EntitlementSet,
  type ImportCounts,
  type InventorySnapshot,
  type NumberedDocument,
  type Planned,
  type Rejection,
} from "~/domain/inventory-import";
import { writeAudit } from "./audit.server";
import { credentialQuery } from "./credential.server";
import { enqueueEvent } from "./outbox.server";

// `keyward import-inventory`: reads a JSON document or a credentials CSV, checks every row against the
// database (domain/inventory-import), and writes everything in ONE transaction, or nothing when any row
// is bad. Upserts by slug (organisations), email (users), name (models, endpoints) and keyId
// (credentials); a row that changes nothing writes nothing, so importing the same file twice is a no-op.


export type InventoryFormat = "json" | "csv";
export type InventoryFile = DocumentResult & { format: InventoryFormat; sha256: string };

/** The format from the file name (.json, .csv), else from the first character ("{" is JSON). */
export function detectFormat(fileName: string, text: string): InventoryFormat {
  if (/\.json$/i.test(fileName)) return "json";
  if (/\.csv$/i.test(fileName)) return "csv";
  return text.replace(/^\uFEFF/, "").trimStart().startsWith("{") ? "json" : "csv";
}

/** Parses the file's text into numbered rows (syntax errors are a file-level error, with their line). */
export function readInventoryFile(fileName: string, text: string, format = detectFormat(fileName, text)): InventoryFile {
  const sha256 = createHash("sha256").update(text).digest("hex");
  if (format === "json") {
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (err) {
      return { ok: false, error: `not valid JSON: ${err instanceof Error ? err.message : String(err)}`, format, sha256 };
    }
    return { ...documentFromJson(value), format, sha256 };
  }
  let records: string[][];
  try {
    records = parseCsv(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
  } catch (err) {
    return { ok: false, error: `not a readable CSV: ${err instanceof Error ? err.message : String(err)}`, format, sha256 };
  }
  return { ...documentFromCsv(records), format, sha256 };
}

/** Everything the validation compares the file with. Read inside the import's transaction. */
function loadSnapshot(tx: Tx): InventorySnapshot {
  const orgRows = tx.select().from(organizations).all();
  const slugById = new Map(orgRows.map((o) => [o.id, o.slug]));
  const ents = tx.select().from(orgEntitlements).all();
  const entitlementsOf = (orgId: string): EntitlementSet => ({
    models: ents.filter((e) => e.orgId === orgId && e.kind === "model").map((e) => e.name).sort(),
    endpoints: ents.filter((e) => e.orgId === orgId && e.kind === "endpoint").map((e) => e.name).sort(),
  });
  const shares = tx.select({ credentialId: credentialShares.credentialId, orgId: credentialShares.orgId }).from(credentialShares).all();
  const sharedWith = new Map<string, string[]>();
  for (const s of shares) sharedWith.set(s.credentialId, [...(sharedWith.get(s.credentialId) ?? []), slugById.get(s.orgId)!].sort());
  return {
    models: tx
      .select()
      .from(catalogModels)
      .all()
      .map((m) => ({ id: m.id, name: m.name, status: m.status, aliases: m.aliases, description: m.description })),
    endpoints: tx
      .select()
      .from(catalogEndpoints)
      .all()
      .map((e) => ({ id: e.id, name: e.name, methods: e.methods, pathTemplate: e.pathTemplate })),
    organizations: orgRows.map((o) => ({
      id: o.id,
      slug: o.slug,
      name: o.name,
      kind: o.kind,
      parent: o.parentId ? (slugById.get(o.parentId) ?? null) : null,
      tier: o.tier,
      status: o.status,
      agreementStart: o.agreementStart,
      agreementEnd: o.agreementEnd,
      contactEmail: o.contactEmail,
      entitlements: entitlementsOf(o.id),
    })),
    users: tx
      .select()
      .from(users)
      .all()
      .map((u) => ({ id: u.id, email: u.email, name: u.name, org: u.orgId ? (slugById.get(u.orgId) ?? null) : null, role: u.role, status: u.status })),
    credentials: credentialQuery()
      .all()
      .map((c) => ({
        id: c.id,
        keyId: c.keyId,
        org: c.orgSlug,
        label: c.label,
        holderEmail: c.holderEmail,
        holderService: c.holderService,
        grantModels: [...c.grantModels].sort(),
        grantEndpoints: [...c.grantEndpoints].sort(),
        environment: c.environment,
        storage: c.storage,
        status: c.status,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
        lastRotatedAt: c.lastRotatedAt,
        revokedAt: c.revokedAt,
        revokedReason: c.revokedReason,
        fingerprint: c.fingerprint,
        sharedWith: sharedWith.get(c.id) ?? [],
        lastUsedAt: c.lastUsedAt,
        lastUsedIp: c.lastUsedIp,
        lastUsedUserAgent: c.lastUsedUserAgent,
      })),
    retiredKeyIds: tx.select({ oldKeyId: credentialRotations.oldKeyId }).from(credentialRotations).all().map((r) => r.oldKeyId),
  };
}

export type ImportSource = { fileName: string; format: InventoryFormat; sha256: string };
export type ImportResult = { ok: boolean; dryRun: boolean; counts: ImportCounts; rejected: Rejection[] };

const changed = (p: Planned<unknown>) => p.existingId === null || Object.keys(p.changes).length > 0;

/**
 * Validates the whole document, then (unless `dryRun` or any row is bad) applies it in one
 * transaction: every created or changed entity gets its audit entry, credentials also their outbox
 * events (credential.registered; suspended/revoked/reactivated/grant_changed when those change), and
 * one inventory.imported entry sums it up. Rows that change nothing write nothing. Users are created
 * "invited" without a password (send them a link with `keyward user-create` or from the Users page).
 */
export function importInventory(ctx: ActionContext, doc: NumberedDocument, opts: { source?: ImportSource; dryRun?: boolean } = {}): ImportResult {
  const db = getDb();
  const now = ctx.now ?? new Date();
  // "immediate": the snapshot is read under the write lock, so nothing changes between check and write.
  return db.transaction(
    (tx): ImportResult => {
      const { plan, rejected } = validateInventory(doc, loadSnapshot(tx), now);
      const counts = countPlan(plan);
      const dryRun = opts.dryRun === true;
      if (rejected.length > 0 || dryRun) return { ok: rejected.length === 0, dryRun, counts, rejected };
      const anything = [plan.models, plan.endpoints, plan.organizations, plan.users, plan.credentials].some((rows) => (rows as Planned<unknown>[]).some(changed));
      if (!anything) return { ok: true, dryRun, counts, rejected };

      const source = "import";
      const actorId = ctx.actor?.id ?? null;

      for (const p of plan.models.filter(changed)) {
        const values = { status: p.next.status, aliases: p.next.aliases, description: p.next.description };
        if (p.existingId === null) {
          tx.insert(catalogModels).values({ name: p.key, ...values, createdAt: now, updatedAt: now }).run();
          writeAudit(tx, ctx, { action: "catalog.model_created", targetType: "model", targetId: p.key, details: { ...values, source } });
        } else {
          tx.update(catalogModels).set({ ...values, updatedAt: now }).where(eq(catalogModels.id, p.existingId)).run();
          writeAudit(tx, ctx, { action: "catalog.model_updated", targetType: "model", targetId: p.key, details: { changes: p.changes, source } });
        }
      }
      for (const p of plan.endpoints.filter(changed)) {
        const values = { methods: p.next.methods, pathTemplate: p.next.pathTemplate, namesModel: namesModel(p.next.pathTemplate) };
        if (p.existingId === null) {
          tx.insert(catalogEndpoints).values({ name: p.key, ...values, createdAt: now, updatedAt: now }).run();
          writeAudit(tx, ctx, { action: "catalog.endpoint_created", targetType: "endpoint", targetId: p.key, details: { methods: values.methods, pathTemplate: values.pathTemplate, source } });
        } else {
          tx.update(catalogEndpoints).set({ ...values, updatedAt: now }).where(eq(catalogEndpoints.id, p.existingId)).run();
          writeAudit(tx, ctx, { action: "catalog.endpoint_updated", targetType: "endpoint", targetId: p.key, details: { changes: p.changes, source } });
        }
      }

      // Organisations: partners first, so that a contractor's sponsor exists when it is inserted.
      const orgIdBySlug = new Map(tx.select({ id: organizations.id, slug: organizations.slug }).from(organizations).all().map((o) => [o.slug, o.id]));
      const writeEntitlements = (orgId: string, ent: EntitlementSet) => {
        tx.delete(orgEntitlements).where(eq(orgEntitlements.orgId, orgId)).run();
        const rows = [
          ...ent.models.map((name) => ({ orgId, kind: "model" as const, name, grantedById: actorId, grantedAt: now })),
          ...ent.endpoints.map((name) => ({ orgId, kind: "endpoint" as const, name, grantedById: actorId, grantedAt: now })),
        ];
        if (rows.length) tx.insert(orgEntitlements).values(rows).run();
      };
      const orgPlan = [...plan.organizations].sort((a, b) => Number(a.next.kind === "contractor") - Number(b.next.kind === "contractor"));
      for (const p of orgPlan.filter(changed)) {
        const o = p.next;
        const values = { name: o.name, tier: o.tier, status: o.status, agreementStart: o.agreementStart, agreementEnd: o.agreementEnd, contactEmail: o.contactEmail };
        if (p.existingId === null) {
          const id = crypto.randomUUID();
          orgIdBySlug.set(o.slug, id);
          tx.insert(organizations)
            .values({ id, slug: o.slug, kind: o.kind, parentId: o.parent ? orgIdBySlug.get(o.parent)! : null, ...values, createdAt: now, updatedAt: now })
            .run();
          writeEntitlements(id, o.entitlements);
          writeAudit(tx, ctx, { action: "org.created", targetType: "org", targetId: id, orgId: id, details: { slug: o.slug, kind: o.kind, tier: o.tier, parent: o.parent, entitlements: o.entitlements, source } });
          continue;
        }
        const { entitlements: entChange, ...fieldChanges } = p.changes;
        if (Object.keys(fieldChanges).length) {
          tx.update(organizations).set({ ...values, updatedAt: now }).where(eq(organizations.id, p.existingId)).run();
          writeAudit(tx, ctx, { action: "org.updated", targetType: "org", targetId: p.existingId, orgId: p.existingId, details: { slug: o.slug, changes: fieldChanges, source } });
        }
        if (entChange) {
          writeEntitlements(p.existingId, o.entitlements);
          writeAudit(tx, ctx, { action: "org.entitlements_changed", targetType: "org", targetId: p.existingId, orgId: p.existingId, details: { slug: o.slug, before: entChange.from, after: entChange.to, source } });
        }
      }

      const userIdByEmail = new Map<string, string>();
      for (const p of plan.users.filter(changed)) {
        const u = p.next;
        const orgId = u.org ? orgIdBySlug.get(u.org)! : null;
        if (p.existingId === null) {
          const id = crypto.randomUUID();
          userIdByEmail.set(u.email, id);
          tx.insert(users).values({ id, email: u.email, name: u.name, role: u.role, orgId, status: "invited", passwordHash: null, createdAt: now, updatedAt: now }).run();
          writeAudit(tx, ctx, { action: "user.created", targetType: "user", targetId: id, orgId, details: { email: u.email, role: u.role, org: u.org, status: "invited", source } });
        } else {
          tx.update(users).set({ name: u.name, role: u.role, updatedAt: now }).where(eq(users.id, p.existingId)).run();
          writeAudit(tx, ctx, { action: "user.updated", targetType: "user", targetId: p.existingId, orgId, details: { email: u.email, changes: p.changes, source } });
        }
      }
      const holderEmails = [...new Set(plan.credentials.map((p) => p.next.holderEmail).filter((e): e is string => e != null && !userIdByEmail.has(e)))];
      if (holderEmails.length) for (const u of tx.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, holderEmails)).all()) userIdByEmail.set(u.email, u.id);

      for (const p of plan.credentials.filter(changed)) writeCredential(tx, ctx, p, { orgIdBySlug, userIdByEmail, now });

      const summary = { ...counts, file: opts.source?.fileName ?? null, format: opts.source?.format ?? null, sha256: opts.source?.sha256 ?? null };
      writeAudit(tx, ctx, { action: "inventory.imported", targetType: "system", targetId: "inventory", details: summary });
      return { ok: true, dryRun, counts, rejected };
    },
    { behavior: "immediate" },
  );
}

/** The stored columns of a credential that follow from its state (not its id, key id, organisation or who made it). */
export function credentialValues(c: CredentialState, ids: { userIdByEmail: Map<string, string> }) {
  return {
    label: c.label,
    holderUserId: c.holderEmail ? ids.userIdByEmail.get(c.holderEmail)! : null,
    holderService: c.holderService,
    grantModels: c.grantModels,
    grantEndpoints: c.grantEndpoints,
    environment: c.environment,
    storage: c.storage,
    status: c.status,
    issuedAt: c.issuedAt,
    expiresAt: c.expiresAt,
    lastRotatedAt: c.lastRotatedAt,
    revokedAt: c.revokedAt,
    revokedReason: c.revokedReason,
    fingerprint: c.fingerprint,
    lastUsedAt: c.lastUsedAt,
    lastUsedIp: c.lastUsedIp,
    lastUsedUserAgent: c.lastUsedUserAgent,
  };
}

function writeCredential(tx: Tx, ctx: ActionContext, p: Planned<CredentialState>, ids: { orgIdBySlug: Map<string, string>; userIdByEmail: Map<string, string>; now: Date }) {
  const c = p.next;
  const orgId = ids.orgIdBySlug.get(c.org)!;
  const values = credentialValues(c, ids);
  const event = { keyId: c.keyId, org: c.org, label: c.label, status: c.status, grant: { models: c.grantModels, endpoints: c.grantEndpoints }, source: "import" };
  const writeShares = (credentialId: string) => {
    tx.delete(credentialShares).where(eq(credentialShares.credentialId, credentialId)).run();
    const rows = c.sharedWith.map((slug) => ({ credentialId, orgId: ids.orgIdBySlug.get(slug)! }));
    if (rows.length) tx.insert(credentialShares).values(rows).run();
  };

  if (p.existingId === null) {
    const id = crypto.randomUUID();
    tx.insert(credentials)
      .values({ id, keyId: c.keyId, orgId, ...values, revokedById: c.status === "revoked" ? (ctx.actor?.id ?? null) : null, createdById: ctx.actor?.id ?? null, createdAt: ids.now, updatedAt: ids.now })
      .run();
    writeShares(id);
    writeAudit(tx, ctx, {
      action: "credential.registered",
      targetType: "credential",
      targetId: id,
      orgId,
      details: { keyId: c.keyId, label: c.label, status: c.status, grant: event.grant, storage: c.storage, environment: c.environment, sharedWith: c.sharedWith, source: "import" },
    });
    enqueueEvent(tx, "credential.registered", event, { orgId, now: ids.now });
    return;
  }

  const id = p.existingId;
  const statusChange = p.changes.status as { from: string; to: string } | undefined;
  tx.update(credentials)
    .set({ ...values, ...(statusChange?.to === "revoked" ? { revokedById: ctx.actor?.id ?? null } : {}), updatedAt: ids.now })
    .where(eq(credentials.id, id))
    .run();
  if (p.changes.sharedWith) writeShares(id);
  writeAudit(tx, ctx, { action: "credential.updated", targetType: "credential", targetId: id, orgId, details: { keyId: c.keyId, changes: p.changes, source: "import" } });
  if (statusChange) {
    const name = statusChange.to === "revoked" ? "credential.revoked" : statusChange.to === "suspended" ? "credential.suspended" : statusChange.to === "expired" ? "credential.expired" : statusChange.from === "suspended" && statusChange.to === "active" ? "credential.reactivated" : null;
    if (name) enqueueEvent(tx, name, { ...event, reason: c.revokedReason }, { orgId, now: ids.now });
  }
  if (p.changes.grantModels || p.changes.grantEndpoints) enqueueEvent(tx, "credential.grant_changed", event, { orgId, now: ids.now });
}
