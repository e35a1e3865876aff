import { and, asc, count, desc, eq, gte, inArray, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb, type Tx } from "../../db/client";
import { credentials, eventRefs, flags, logEvents, organizations, users } from "../../db/schema";
import { detectionSuppressions, flagActivity, flagAssignments } from "../../db/schema-triage";
import type { ActionContext, Actor } from "~/domain/actor";
import { can } from "~/domain/permissions";
import { LIVE_FLAG_STATUSES, nextStatus, timelineBuckets, triageRefusal, type FlagAction, type FlagFilter, type FlagStatusValue } from "~/domain/detection/triage";
import { pageWindow } from "~/domain/pagination";
import { writeAudit } from "./audit.server";
import { setCredentialStatus } from "./credential-lifecycle.server";
import { scopeFor, scopeWhere } from "./scope.server";

// The triage queue and a flag's page (issue 7 points 3 and 4). Tenancy: a flag belongs to its
// credential's organisation (flags.orgId); flags about a source address alone (no credential) have no
// organisation and only internal users see them. A partner sees its own organisation's flags, the
// requests of its own credential behind them, and the part of the thread meant for it.

const holder = alias(users, "holder");
const assignee = alias(users, "assignee");
const DAY = 86_400_000;

/** critical → 4 … info → 0, for ORDER BY. */
const severityRankSql = sql<number>`case ${flags.severity} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end`;

function flagScope(actor: Actor): SQL | undefined {
  return scopeWhere(scopeFor(actor), flags.orgId);
}

const isInternal = (actor: Actor) => actor.orgId === null;

/** The queue: filtered, sorted by severity then recency, paginated. */
export function listFlags(actor: Actor, filter: FlagFilter, pageSize = 25) {
  const db = getDb();
  const conds: (SQL | undefined)[] = [flagScope(actor)];
  const status = filter.status ?? "live";
  if (status === "live") conds.push(inArray(flags.status, [...LIVE_FLAG_STATUSES]));
  else if (status !== "all") conds.push(eq(flags.status, status));
  if (filter.severity) conds.push(eq(flags.severity, filter.severity));
  if (filter.rule) conds.push(eq(flags.rule, filter.rule));
  if (filter.org) conds.push(eq(organizations.slug, filter.org));
  if (filter.from) conds.push(gte(flags.lastSeen, Date.parse(`${filter.from}T00:00:00.000Z`)));
  if (filter.to) conds.push(lte(flags.firstSeen, Date.parse(`${filter.to}T23:59:59.999Z`)));
  const where = and(...conds);
  const total = db.select({ n: count() }).from(flags).leftJoin(organizations, eq(organizations.id, flags.orgId)).where(where).get()?.n ?? 0;
  const { page, pageCount, offset } = pageWindow(total, filter.page, pageSize);
  const rows = db
    .select({
      id: flags.id,
      rule: flags.rule,
      severity: flags.severity,
      status: flags.status,
      keyId: credentials.keyId,
      orgSlug: organizations.slug,
      orgName: organizations.name,
      srcIp: flags.srcIp,
      keyRef: flags.keyRef,
      count: flags.count,
      firstSeen: flags.firstSeen,
      lastSeen: flags.lastSeen,
      summary: flags.summary,
      assignee: assignee.name,
    })
    .from(flags)
    .leftJoin(organizations, eq(organizations.id, flags.orgId))
    .leftJoin(credentials, eq(credentials.id, flags.credentialId))
    .leftJoin(flagAssignments, eq(flagAssignments.flagId, flags.id))
    .leftJoin(assignee, eq(assignee.id, flagAssignments.assigneeId))
    .where(where)
    .orderBy(desc(severityRankSql), desc(flags.lastSeen), asc(flags.id))
    .limit(pageSize)
    .offset(offset)
    .all();
  const internal = isInternal(actor);
  return { rows: rows.map((r) => ({ ...r, srcIp: internal ? r.srcIp : null })), total, page, pageCount };
}

/** Organisations that have flags (the queue's filter), within the actor's scope. */
export function listFlagOrgs(actor: Actor) {
  return getDb()
    .selectDistinct({ slug: organizations.slug, name: organizations.name })
    .from(flags)
    .innerJoin(organizations, eq(organizations.id, flags.orgId))
    .where(flagScope(actor))
    .orderBy(asc(organizations.name))
    .all();
}

function flagRow(actor: Actor, id: string) {
  return getDb()
    .select()
    .from(flags)
    .where(and(eq(flags.id, id), flagScope(actor)))
    .get();
}

/** One flag with everything its page shows, or null (another tenant's flag is not found). */
export function getFlag(actor: Actor, id: string) {
  const db = getDb();
  const f = flagRow(actor, id);
  if (!f) return null;
  const internal = isInternal(actor);
  const credential = f.credentialId
    ? (db
        .select({
          id: credentials.id,
          keyId: credentials.keyId,
          label: credentials.label,
          status: credentials.status,
          environment: credentials.environment,
          storage: credentials.storage,
          grantModels: credentials.grantModels,
          issuedAt: credentials.issuedAt,
          lastUsedAt: credentials.lastUsedAt,
          orgSlug: organizations.slug,
          orgName: organizations.name,
          holderName: holder.name,
          holderEmail: holder.email,
          holderService: credentials.holderService,
        })
        .from(credentials)
        .innerJoin(organizations, eq(organizations.id, credentials.orgId))
        .leftJoin(holder, eq(holder.id, credentials.holderUserId))
        .where(eq(credentials.id, f.credentialId))
        .get() ?? null)
    : null;

  // The requests behind the flag: the credential's (or, for internal users, the address's) events
  // within the rule's window around first and last seen (a rule fires on the event that crosses its
  // threshold, so the events that led there come before first seen). Read through the (credential, ts) index.
  const subject: SQL | undefined = f.credentialId ? inArray(logEvents.credentialRef, db.select({ ref: eventRefs.ref }).from(eventRefs).where(and(eq(eventRefs.kind, "credential"), eq(eventRefs.targetId, f.credentialId)))) : internal && f.srcIp ? eq(logEvents.srcIp, f.srcIp) : undefined;
  const events = subject
    ? db
        .select({ ts: logEvents.ts, method: logEvents.method, path: logEvents.path, status: logEvents.status, srcIp: logEvents.srcIp, userAgent: logEvents.userAgent, model: logEvents.model, keyRef: logEvents.keyRef })
        .from(logEvents)
        .where(and(subject, gte(logEvents.ts, f.firstSeen - f.windowMs), lte(logEvents.ts, f.lastSeen + f.windowMs)))
        .orderBy(asc(logEvents.ts))
        .limit(2000)
        .all()
    : [];
  const from = Math.min(f.firstSeen, events[0]?.ts ?? f.firstSeen);
  const to = Math.max(f.lastSeen, events.at(-1)?.ts ?? f.lastSeen);
  const timeline = timelineBuckets(events, from, Math.max(to, from + 60_000));

  const relatedConds: SQL[] = [];
  if (f.credentialId) relatedConds.push(eq(flags.credentialId, f.credentialId));
  if (f.srcIp && internal) relatedConds.push(eq(flags.srcIp, f.srcIp));
  const related = relatedConds.length
    ? db
        .select({ id: flags.id, rule: flags.rule, severity: flags.severity, status: flags.status, lastSeen: flags.lastSeen, summary: flags.summary })
        .from(flags)
        .where(and(ne(flags.id, f.id), or(...relatedConds), flagScope(actor)))
        .orderBy(desc(flags.lastSeen))
        .limit(10)
        .all()
    : [];

  const activity = db
    .select({ id: flagActivity.id, kind: flagActivity.kind, actorName: flagActivity.actorName, body: flagActivity.body, at: flagActivity.at })
    .from(flagActivity)
    .where(and(eq(flagActivity.flagId, f.id), internal ? undefined : eq(flagActivity.partnerVisible, true)))
    .orderBy(asc(flagActivity.at))
    .all();
  const assigned = db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(flagAssignments)
    .innerJoin(users, eq(users.id, flagAssignments.assigneeId))
    .where(eq(flagAssignments.flagId, f.id))
    .get();

  // A partner sees only its own credential's addresses: the flag's requests and evidence are its credential's.
  // An address-based rule's samples may hold other keys' requests from the same address: a partner sees
  // only the samples that are its own credential's requests.
  const own = new Set(events.map((e) => `${e.ts}|${e.method}|${e.path}|${e.status}`));
  const evidence = internal ? f.evidence : f.credentialId ? f.evidence.filter((e) => own.has(`${e.ts}|${e.method}|${e.path}|${e.status}`)) : [];
  return {
    flag: { ...f, srcIp: internal || f.credentialId ? f.srcIp : null, evidence },
    credential,
    events: events.slice(-200),
    eventCount: events.length,
    timeline,
    related,
    activity,
    assignee: internal ? (assigned ?? null) : null,
  };
}

/** Internal users a flag can be assigned to (security). */
export function listAssignees() {
  return getDb().select({ id: users.id, name: users.name, email: users.email }).from(users).where(and(eq(users.role, "security"), eq(users.status, "active"))).orderBy(asc(users.name)).all();
}

/** Flags on one credential (its page groups them by hour), newest first. */
export function listFlagsForCredential(actor: Actor, credentialId: string, limit = 100) {
  return getDb()
    .select({ id: flags.id, rule: flags.rule, severity: flags.severity, status: flags.status, firstSeen: flags.firstSeen, lastSeen: flags.lastSeen, count: flags.count, summary: flags.summary })
    .from(flags)
    .where(and(eq(flags.credentialId, credentialId), flagScope(actor)))
    .orderBy(desc(flags.lastSeen))
    .limit(limit)
    .all();
}

export type TriageResult = { ok: true; message: string } | { ok: false; status: 400 | 403 | 404; field: string; message: string };

function addActivity(tx: Tx, flagId: string, actor: Actor | null, kind: (typeof flagActivity.$inferInsert)["kind"], body: string | null, partnerVisible: boolean, now: Date) {
  tx.insert(flagActivity)
    .values({ flagId, kind, actorId: actor?.id ?? null, actorName: actor ? actor.name || actor.email : "Keyward", body, partnerVisible, at: now })
    .run();
}

/**
 * Applies one action from the flag's page. Security triages (triage:flag:any); a partner admin
 * responds on its own organisation's flags (respond:flag:own). Each change, its thread entry and its
 * audit entry are one transaction; suspend and revoke go through the credential lifecycle (its own
 * transaction, audit and outbox event to the gateway), then the flag records them.
 */
export function applyFlagAction(ctx: ActionContext & { actor: Actor }, id: string, input: FlagAction): TriageResult {
  const { actor } = ctx;
  const f = flagRow(actor, id);
  if (!f) return { ok: false, status: 404, field: "_form", message: "Not found" };
  const now = ctx.now ?? new Date();
  if (input.intent === "respond") {
    // A partner responds for its own organisation's credentials (not for its contractors', which it only reads).
    if (!can(actor, "respond:flag:own") || !f.orgId || f.orgId !== actor.orgId) return { ok: false, status: 403, field: "_form", message: "You cannot respond to this flag." };
  } else if (!can(actor, "triage:flag:any")) return { ok: false, status: 403, field: "_form", message: "Only security triages flags." };

  const refusal = triageRefusal(input.intent, f.status as FlagStatusValue);
  if (refusal) return { ok: false, status: 400, field: "_form", message: refusal };
  const db = getDb();

  if (input.intent === "suspend" || input.intent === "revoke") {
    if (!f.credentialId) return { ok: false, status: 400, field: "_form", message: "This flag is about an address, not a credential." };
    const keyId = db.select({ keyId: credentials.keyId }).from(credentials).where(eq(credentials.id, f.credentialId)).get()?.keyId;
    if (!keyId) return { ok: false, status: 400, field: "_form", message: "The credential no longer exists." };
    const reason = `${input.reason} (flag ${f.rule} ${f.id})`;
    const r = setCredentialStatus(ctx, keyId, input.intent, reason);
    if (!r.ok) return { ok: false, status: r.status, field: r.field === "reason" ? "reason" : "_form", message: r.message };
    db.transaction((tx) => {
      addActivity(tx, f.id, actor, input.intent === "suspend" ? "suspended" : "revoked", input.reason, true, now);
      writeAudit(tx, ctx, { action: `flag.credential_${input.intent === "suspend" ? "suspended" : "revoked"}`, targetType: "flag", targetId: f.id, orgId: f.orgId, details: { rule: f.rule, keyId, reason: input.reason } });
    });
    return { ok: true, message: input.intent === "suspend" ? `Credential ${keyId} suspended; the gateway is being told.` : `Credential ${keyId} revoked; the gateway is being told.` };
  }

  if (input.intent === "assign") {
    const who = db.select({ id: users.id, name: users.name, email: users.email }).from(users).where(and(eq(users.id, input.assigneeId), eq(users.role, "security"), eq(users.status, "active"))).get();
    if (!who) return { ok: false, status: 400, field: "assigneeId", message: "Pick an active member of security" };
    db.transaction((tx) => {
      tx.insert(flagAssignments).values({ flagId: f.id, assigneeId: who.id, assignedById: actor.id, at: now }).onConflictDoUpdate({ target: flagAssignments.flagId, set: { assigneeId: who.id, assignedById: actor.id, at: now } }).run();
      addActivity(tx, f.id, actor, "assigned", `Assigned to ${who.name || who.email}`, false, now);
      writeAudit(tx, ctx, { action: "flag.assigned", targetType: "flag", targetId: f.id, orgId: f.orgId, details: { rule: f.rule, assignee: who.email } });
    });
    return { ok: true, message: `Assigned to ${who.name || who.email}.` };
  }

  if (input.intent === "note" || input.intent === "respond") {
    db.transaction((tx) => {
      addActivity(tx, f.id, actor, input.intent === "respond" ? "response" : "note", input.body, input.intent === "respond", now);
      writeAudit(tx, ctx, { action: input.intent === "respond" ? "flag.partner_responded" : "flag.noted", targetType: "flag", targetId: f.id, orgId: f.orgId, details: { rule: f.rule, length: input.body.length } });
    });
    return { ok: true, message: input.intent === "respond" ? "Your response was added to the flag." : "Note added." };
  }

  const to = nextStatus(input.intent)!;
  const body = input.intent === "acknowledge" ? (input.note ?? null) : input.intent === "escalate" ? input.note : input.reason;
  let suppression: { scope: "credential" | "ip"; days: number } | null = null;
  if (input.intent === "false_positive" && input.suppress !== "none") {
    if (input.suppress === "credential" && !f.credentialId) return { ok: false, status: 400, field: "suppress", message: "This flag has no credential: suppress for its address instead" };
    if (input.suppress === "ip" && !f.srcIp) return { ok: false, status: 400, field: "suppress", message: "This flag has no source address: suppress for its credential instead" };
    suppression = { scope: input.suppress, days: input.days! };
  }
  const done = db.transaction((tx) => {
    const res = tx
      .update(flags)
      .set({ status: to, updatedAt: now })
      .where(and(eq(flags.id, f.id), eq(flags.status, f.status)))
      .run();
    if (res.changes !== 1) return false;
    addActivity(tx, f.id, actor, to === "acknowledged" ? "acknowledged" : to === "escalated" ? "escalated" : to === "resolved" ? "resolved" : "false_positive", body, to === "resolved" || to === "false_positive", now);
    if (suppression) {
      tx.insert(detectionSuppressions)
        .values({ rule: f.rule, credentialId: suppression.scope === "credential" ? f.credentialId : null, srcIp: suppression.scope === "ip" ? f.srcIp : null, reason: body ?? "", flagId: f.id, createdById: actor.id, createdAt: now, expiresAt: new Date(now.getTime() + suppression.days * DAY) })
        .run();
    }
    writeAudit(tx, ctx, { action: `flag.${to}`, targetType: "flag", targetId: f.id, orgId: f.orgId, details: { rule: f.rule, from: f.status, to, reason: body, ...(suppression ? { suppress: suppression.scope, days: suppression.days } : {}) } });
    return true;
  });
  if (!done) return { ok: false, status: 400, field: "_form", message: "The flag changed meanwhile: reload the page." };
  const labels: Record<FlagStatusValue, string> = { open: "Reopened.", acknowledged: "Acknowledged.", escalated: "Escalated.", resolved: "Resolved.", false_positive: suppression ? `Marked as a false positive; ${f.rule} is suppressed for this ${suppression.scope === "ip" ? "address" : "credential"} for ${suppression.days} days.` : "Marked as a false positive." };
  return { ok: true, message: labels[to] };
}

/** Live suppressions at `now`: detection loads them once per import. */
export function listActiveSuppressions(now = new Date()) {
  return getDb()
    .select({ rule: detectionSuppressions.rule, credentialId: detectionSuppressions.credentialId, srcIp: detectionSuppressions.srcIp, expiresAt: detectionSuppressions.expiresAt })
    .from(detectionSuppressions)
    .where(gte(detectionSuppressions.expiresAt, now))
    .all();
}
