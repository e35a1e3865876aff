import { and, desc, eq, gt, inArray, or } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentialRotations, credentials, users } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { ALL_ENDPOINTS, ALL_GA, describeUncovered, isWithin, type CatalogModelRef } from "~/domain/grant";
import { refusal, sameGrant, type Grant, type LifecycleAction } from "~/domain/credential-lifecycle";
import { credentialHygiene, type CredentialStatus } from "~/domain/credential-policy";
import { writeAudit } from "./audit.server";
import { getCredential, type CredentialRecord } from "./credential.server";
import { catalogRefs, outsideEntitlements } from "./entitlement.server";
import { enqueueEvent } from "./outbox.server";
import { getPolicy } from "./policy.server";
import { listEndpoints } from "./catalog.server";

// Lifecycle changes to a registered credential: rotate, suspend, reactivate, revoke, change the grant.
// Each is one transaction holding the change, its audit entry and its outbox event. Who may do what is
// the domain's rule table (credential-lifecycle.ts), checked here as well as on the page.

type Ctx = ActionContext & { actor: Actor };

/** 404: not in the actor's scope; 403: not theirs to do; 400: a field or state problem (message shown on the form). */
export type LifecycleResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404; field: string; message: string };

const notFound = { ok: false, status: 404, field: "_form", message: "Not found" } as const;
const fail = (field: string, message: string) => ({ ok: false as const, status: 400 as const, field, message });

/** The credential in the actor's scope and the check of `action` against it; the status used is the effective one (past expiry = expired). */
function load(ctx: Ctx, keyId: string, action: LifecycleAction | ((cred: CredentialRecord) => LifecycleAction)): { ok: true; cred: CredentialRecord; now: Date; action: LifecycleAction } | Exclude<LifecycleResult<never>, { ok: true }> {
  const cred = getCredential(ctx.actor, keyId);
  if (!cred) return notFound;
  const now = ctx.now ?? new Date();
  if (typeof action === "function") action = action(cred);
  const status = effectiveStatus(cred, now);
  const no = refusal(ctx.actor, { orgId: cred.orgId, status }, action);
  if (no) return { ok: false, status: no.kind === "forbidden" ? 403 : 400, field: "_form", message: no.message };
  return { ok: true, cred, now, action };
}

/** The status that counts now: a credential past its expiry date is expired even before the scheduler marks it. */
export function effectiveStatus(cred: Pick<CredentialRecord, "status" | "issuedAt" | "lastRotatedAt" | "lastUsedAt" | "expiresAt">, now: Date): CredentialStatus {
  return credentialHygiene(cred, { maxCredentialAgeDays: 1, unusedThresholdDays: 1 }, now).effectiveStatus; // the policy does not affect the status
}

const STALE = "This credential changed meanwhile; reload the page and try again.";

function isKeyIdConflict(err: unknown) {
  return err instanceof Error && /UNIQUE constraint failed: credentials\.key_id/.test(err.message);
}

/** Is `keyId` free: not a current key id, nor a key id retired by a rotation (old ids stay recognisable for misuse detection)? */
export function keyIdInUse(keyId: string): boolean {
  const db = getDb();
  if (db.select({ id: credentials.id }).from(credentials).where(eq(credentials.keyId, keyId)).get()) return true;
  return !!db.select({ id: credentialRotations.id }).from(credentialRotations).where(or(eq(credentialRotations.oldKeyId, keyId), eq(credentialRotations.newKeyId, keyId))).get();
}

function fingerprintInUse(fingerprint: string): boolean {
  const db = getDb();
  if (db.select({ id: credentials.id }).from(credentials).where(eq(credentials.fingerprint, fingerprint)).get()) return true;
  return !!db.select({ id: credentialRotations.id }).from(credentialRotations).where(eq(credentialRotations.oldFingerprint, fingerprint)).get();
}

/**
 * Records a rotation: the credential takes `newKeyId` (and the new key's fingerprint, or none: the
 * old fingerprint belongs to the old key), and the old key id enters the tier's grace period, after
 * which any use of it is misuse. Allowed on active and suspended credentials (a suspended one stays suspended).
 */
export function rotateCredential(ctx: Ctx, keyId: string, input: { newKeyId: string; fingerprint?: string }): LifecycleResult<{ keyId: string; graceEndsAt: Date }> {
  const l = load(ctx, keyId, "rotate");
  if (!l.ok) return l;
  const { cred, now } = l;
  if (input.newKeyId === cred.keyId) return fail("newKeyId", "That is the current key id: record the new key's id.");
  if (keyIdInUse(input.newKeyId)) return fail("newKeyId", "That key id is already registered or was used before; key ids are never reused.");
  if (input.fingerprint && fingerprintInUse(input.fingerprint)) return fail("fingerprint", "That fingerprint belongs to a key already registered or rotated out: rotation needs a new key.");
  const policy = getPolicy(cred.orgTier);
  const graceEndsAt = new Date(now.getTime() + policy.rotationGraceHours * 3_600_000);
  const db = getDb();
  try {
    const done = db.transaction((tx) => {
      const res = tx
        .update(credentials)
        .set({ keyId: input.newKeyId, fingerprint: input.fingerprint ?? null, lastRotatedAt: now, updatedAt: now })
        .where(and(eq(credentials.id, cred.id), eq(credentials.keyId, cred.keyId), inArray(credentials.status, ["active", "suspended"])))
        .run();
      if (res.changes !== 1) return false;
      tx.insert(credentialRotations)
        .values({ credentialId: cred.id, oldKeyId: cred.keyId, newKeyId: input.newKeyId, oldFingerprint: cred.fingerprint, rotatedAt: now, graceEndsAt, rotatedById: ctx.actor.id })
        .run();
      writeAudit(tx, ctx, {
        action: "credential.rotated",
        targetType: "credential",
        targetId: cred.id,
        orgId: cred.orgId,
        details: { oldKeyId: cred.keyId, newKeyId: input.newKeyId, graceEndsAt: graceEndsAt.toISOString(), graceHours: policy.rotationGraceHours, fingerprint: input.fingerprint ? "new" : "none" },
      });
      enqueueEvent(tx, "credential.rotated", { keyId: input.newKeyId, oldKeyId: cred.keyId, org: cred.orgSlug, rotatedAt: now.toISOString(), graceEndsAt: graceEndsAt.toISOString() }, { orgId: cred.orgId, now });
      return true;
    });
    if (!done) return fail("_form", STALE);
  } catch (err) {
    if (isKeyIdConflict(err)) return fail("newKeyId", "That key id is already registered or was used before; key ids are never reused.");
    throw err;
  }
  return { ok: true, value: { keyId: input.newKeyId, graceEndsAt } };
}

type StatusChange = { action: "suspend" | "reactivate" | "revoke"; from: CredentialStatus[]; to: CredentialStatus; event: string };
const CHANGES: Record<StatusChange["action"], StatusChange> = {
  suspend: { action: "suspend", from: ["active"], to: "suspended", event: "credential.suspended" },
  reactivate: { action: "reactivate", from: ["suspended"], to: "active", event: "credential.reactivated" },
  revoke: { action: "revoke", from: ["active", "suspended"], to: "revoked", event: "credential.revoked" },
};

/**
 * Suspend (reason required), reactivate, or revoke (reason required; final). Revoking also ends the
 * grace period of key ids rotated out recently, so the gateway and misuse detection treat them as dead,
 * and tells the gateway and the partner through the outbox.
 */
export function setCredentialStatus(ctx: Ctx, keyId: string, action: StatusChange["action"], reason?: string): LifecycleResult<{ status: CredentialStatus }> {
  const change = CHANGES[action];
  const l = load(ctx, keyId, action);
  if (!l.ok) return l;
  const { cred, now } = l;
  if ((action === "suspend" || action === "revoke") && !reason) return fail("reason", "Give a reason.");
  const db = getDb();
  const done = db.transaction((tx) => {
    const set =
      action === "revoke"
        ? { status: change.to, statusReason: reason ?? null, revokedAt: now, revokedById: ctx.actor.id, revokedReason: reason ?? null, updatedAt: now }
        : { status: change.to, statusReason: action === "suspend" ? (reason ?? null) : null, updatedAt: now };
    const res = tx
      .update(credentials)
      .set(set)
      .where(and(eq(credentials.id, cred.id), eq(credentials.keyId, cred.keyId), inArray(credentials.status, change.from)))
      .run();
    if (res.changes !== 1) return false;
    let graceCutShort: string[] = [];
    if (action === "revoke") {
      graceCutShort = tx
        .update(credentialRotations)
        .set({ graceEndsAt: now })
        .where(and(eq(credentialRotations.credentialId, cred.id), gt(credentialRotations.graceEndsAt, now)))
        .returning({ oldKeyId: credentialRotations.oldKeyId })
        .all()
        .map((r) => r.oldKeyId);
    }
    writeAudit(tx, ctx, {
      action: change.event,
      targetType: "credential",
      targetId: cred.id,
      orgId: cred.orgId,
      details: { keyId: cred.keyId, from: cred.status, to: change.to, reason: reason ?? null, ...(graceCutShort.length ? { graceCutShort } : {}) },
    });
    const data: Record<string, unknown> = { keyId: cred.keyId, org: cred.orgSlug };
    if (action === "revoke") Object.assign(data, { reason, revokedAt: now.toISOString(), ...(graceCutShort.length ? { oldKeyIds: graceCutShort } : {}) });
    else if (action === "suspend") Object.assign(data, { reason, suspendedAt: now.toISOString() });
    else Object.assign(data, { reactivatedAt: now.toISOString() });
    enqueueEvent(tx, change.event, data, { orgId: cred.orgId, now });
    return true;
  });
  if (!done) return fail("_form", STALE);
  return { ok: true, value: { status: change.to } };
}

function unknownGrantNames(next: Grant, catalog: readonly CatalogModelRef[]) {
  const endpoints = new Set(listEndpoints().map((e) => e.name));
  return [
    ...next.models.filter((m) => m !== ALL_GA && !catalog.some((c) => c.name === m)),
    ...next.endpoints.filter((e) => e !== ALL_ENDPOINTS && !endpoints.has(e)),
  ];
}

/**
 * Replaces the grant. Within the current grant it is a narrowing (the holder's organisation or a vendor
 * manager); anything else is a widening: vendor managers only (403 otherwise), and still within the
 * organisation's entitlements. An unchanged grant is a 400 ("nothing to change").
 */
export function changeCredentialGrant(ctx: Ctx, keyId: string, input: Grant): LifecycleResult<{ change: "narrowed" | "widened" }> {
  const catalog = catalogRefs();
  const next: Grant = { models: [...new Set(input.models)].sort(), endpoints: [...new Set(input.endpoints)].sort() };
  const grantOf = (c: CredentialRecord): Grant => ({ models: c.grantModels, endpoints: c.grantEndpoints });
  const l = load(ctx, keyId, (c) => (isWithin(next, grantOf(c), catalog) ? "narrow" : "widen"));
  if (!l.ok) return l;
  const { cred, now } = l;
  const before = grantOf(cred);
  const change = l.action === "narrow" ? "narrowed" : "widened";
  const unknown = unknownGrantNames(next, catalog);
  if (unknown.length) return fail("grantModels", `Not in the catalog: ${unknown.join(", ")}.`);
  if (sameGrant(next, before)) return fail("grantModels", "The grant is unchanged.");
  if (change === "widened") {
    const outside = outsideEntitlements(cred.orgId, next, catalog);
    if (outside) return fail(outside.models.length ? "grantModels" : "grantEndpoints", `Outside ${cred.orgName}'s entitlements: ${describeUncovered(outside)}. Change the organisation's entitlements first.`);
  }
  const db = getDb();
  const done = db.transaction((tx) => {
    const res = tx
      .update(credentials)
      .set({ grantModels: next.models, grantEndpoints: next.endpoints, updatedAt: now })
      .where(and(eq(credentials.id, cred.id), eq(credentials.keyId, cred.keyId), inArray(credentials.status, ["active", "suspended"])))
      .run();
    if (res.changes !== 1) return false;
    writeAudit(tx, ctx, { action: `credential.grant_${change}`, targetType: "credential", targetId: cred.id, orgId: cred.orgId, details: { keyId: cred.keyId, before, after: next } });
    enqueueEvent(tx, "credential.grant_changed", { keyId: cred.keyId, org: cred.orgSlug, change, models: next.models, endpoints: next.endpoints, before }, { orgId: cred.orgId, now });
    return true;
  });
  if (!done) return fail("_form", STALE);
  return { ok: true, value: { change } };
}

/** A credential's rotation history, newest first, with who recorded each. */
export function listRotations(credentialId: string, limit = 200) {
  return getDb()
    .select({
      id: credentialRotations.id,
      oldKeyId: credentialRotations.oldKeyId,
      newKeyId: credentialRotations.newKeyId,
      rotatedAt: credentialRotations.rotatedAt,
      graceEndsAt: credentialRotations.graceEndsAt,
      rotatedByEmail: users.email,
    })
    .from(credentialRotations)
    .leftJoin(users, eq(credentialRotations.rotatedById, users.id))
    .where(eq(credentialRotations.credentialId, credentialId))
    .orderBy(desc(credentialRotations.rotatedAt))
    .limit(limit)
    .all();
}
