import { randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { organizations, outbox, webhooks } from "../../db/schema";
import type { ActionContext, Actor } from "~/domain/actor";
import { writeAudit } from "./audit.server";
import { scopeFor, scopeWhere } from "./scope.server";
import { blankToUndefined } from "~/domain/form-errors";
import { pageWindow } from "~/domain/pagination";

// Webhook endpoints (issue 3 point 7): the gateway's admin endpoint (no organisation: hears every
// event) and partners' endpoints (an organisation: hear about it and its contractors). Managed on
// /settings/webhooks by internal users; deliveries are outbox rows (outbox.server.ts).

/** The events Keyward sends; "*" subscribes to all of them, including ones added later. */
export const WEBHOOK_EVENTS = [
  "credential.registered",
  "credential.rotated",
  "credential.suspended",
  "credential.reactivated",
  "credential.revoked",
  "credential.grant_changed",
  "credential.expired",
  "rotation.reminder",
  "flag.raised",
  // Attestations (issue 4).
  "credential.revocation_requested",
  "attestation.requested",
  "attestation.submitted",
  "attestation.clarification_requested",
  "attestation.accepted",
  "attestation.rejected",
  "attestation.reminder",
  "attestation.overdue",
  // Access reviews (issue 5).
  "campaign.opened",
  "campaign.items_assigned",
  "campaign.first_pass_requested",
  "campaign.first_pass_reminder",
  "campaign.reminder",
  "campaign.item_escalated",
  "campaign.escalated",
  "campaign.closed",
] as const;
export const ALL_EVENTS = "*";

export const DELIVERY_STATUSES = ["pending", "delivered", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Hosts for which plain http:// is accepted: a gateway on the same machine, and tests. */
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);


export const WebhookUrlSchema = z
  .string({ error: "Enter the endpoint's URL" })
  .trim()
  .min(1, "Enter the endpoint's URL")
  .max(2000, "At most 2000 characters")
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, such as https://gateway.example.com/keyward/events" });
      return;
    }
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "Do not put a user name or password in the URL: deliveries are signed instead" });
    else if (url.protocol === "http:" && !LOCAL_HOSTS.has(url.hostname)) ctx.addIssue({ code: "custom", message: "Use an https:// URL (plain http:// is allowed only for localhost and 127.0.0.1)" });
    else if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "Use an https:// URL" });
  });

const EventsSchema = z
  .preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(z.string()))
  .superRefine((events, ctx) => {
    if (events.length === 0) ctx.addIssue({ code: "custom", message: "Pick at least one event" });
    const unknown = events.filter((e) => e !== ALL_EVENTS && !(WEBHOOK_EVENTS as readonly string[]).includes(e));
    if (unknown.length) ctx.addIssue({ code: "custom", message: `Unknown event${unknown.length > 1 ? "s" : ""}: ${unknown.slice(0, 3).join(", ").slice(0, 200)}` });
  })
  // "*" covers everything: keep it alone rather than beside the events it already includes.
  .transform((events) => (events.includes(ALL_EVENTS) ? [ALL_EVENTS] : [...new Set(events)]));

export const WebhookCreateSchema = z.object({
  name: z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(80, "At most 80 characters"),
  url: WebhookUrlSchema,
  events: EventsSchema,
  orgSlug: z.preprocess(blankToUndefined, z.string().trim().max(64, "Unknown organisation").optional()),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;

/** The deliveries list's query string; anything malformed is dropped rather than failing the page. */
export const DeliveryQuerySchema = z.object({
  webhook: z.string().trim().uuid().optional().catch(undefined),
  status: z.enum(DELIVERY_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuerySchema>;

export type FieldResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** 32 random bytes, base64url: the HMAC key, shown once to the person who creates the endpoint. */
export function generateWebhookSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** Webhooks in the actor's scope (internal users: all), with their queue counts and last attempted delivery. */
export function listWebhooks(actor: Actor) {
  const db = getDb();
  const rows = db
    .select({
      id: webhooks.id,
      name: webhooks.name,
      url: webhooks.url,
      events: webhooks.events,
      active: webhooks.active,
      orgId: webhooks.orgId,
      orgSlug: organizations.slug,
      orgName: organizations.name,
      createdAt: webhooks.createdAt,
      pending: sql<number>`(select count(*) from ${outbox} where ${outbox.webhookId} = ${webhooks.id} and ${outbox.status} = 'pending')`,
      dead: sql<number>`(select count(*) from ${outbox} where ${outbox.webhookId} = ${webhooks.id} and ${outbox.status} = 'dead')`,
    })
    .from(webhooks)
    .leftJoin(organizations, eq(organizations.id, webhooks.orgId))
    .where(scopeWhere(scopeFor(actor), webhooks.orgId))
    .orderBy(asc(webhooks.name), asc(webhooks.id))
    .all();
  return rows.map((w) => {
    const last = db
      .select({ id: outbox.id, event: outbox.event, status: outbox.status, lastStatus: outbox.lastStatus, lastError: outbox.lastError, deliveredAt: outbox.deliveredAt })
      .from(outbox)
      .where(and(eq(outbox.webhookId, w.id), sql`${outbox.attempts} > 0`))
      .orderBy(desc(outbox.id))
      .limit(1)
      .get();
    return { ...w, lastDelivery: last ?? null };
  });
}

/** Organisations a partner's endpoint may belong to (for the create form). */
export function listWebhookOrgOptions(actor: Actor) {
  return getDb()
    .select({ slug: organizations.slug, name: organizations.name, kind: organizations.kind })
    .from(organizations)
    .where(and(scopeWhere(scopeFor(actor), organizations.id), inArray(organizations.status, ["onboarding", "active", "suspended"])))
    .orderBy(asc(organizations.name))
    .all();
}

/** Creates an endpoint with a fresh secret, audited (never the secret). Returns the secret once. */
export function createWebhook(ctx: ActionContext & { actor: Actor }, input: WebhookCreate): FieldResult<{ id: string; name: string; secret: string }> {
  const db = getDb();
  let orgId: string | null = null;
  if (input.orgSlug) {
    const org = db
      .select({ id: organizations.id })
      .from(organizations)
      .where(and(eq(organizations.slug, input.orgSlug), scopeWhere(scopeFor(ctx.actor), organizations.id)))
      .get();
    if (!org) return { ok: false, field: "orgSlug", message: "Unknown organisation" };
    orgId = org.id;
  }
  const id = crypto.randomUUID();
  const secret = generateWebhookSecret();
  db.transaction((tx) => {
    tx.insert(webhooks)
      .values({ id, name: input.name, url: input.url, events: input.events, secret, orgId, active: true, createdById: ctx.actor.id, createdAt: ctx.now ?? new Date() })
      .run();
    writeAudit(tx, ctx, { action: "webhook.created", targetType: "webhook", targetId: id, orgId, details: { name: input.name, url: input.url, events: input.events } });
  });
  return { ok: true, value: { id, name: input.name, secret } };
}

function findWebhook(actor: Actor, id: string) {
  return (
    getDb()
      .select({ id: webhooks.id, name: webhooks.name, url: webhooks.url, orgId: webhooks.orgId, active: webhooks.active })
      .from(webhooks)
      .where(and(eq(webhooks.id, id), scopeWhere(scopeFor(actor), webhooks.orgId)))
      .get() ?? null
  );
}

/** Pauses or resumes an endpoint: while paused its rows wait in the queue. Null when not found. */
export function setWebhookActive(ctx: ActionContext & { actor: Actor }, id: string, active: boolean) {
  const hook = findWebhook(ctx.actor, id);
  if (!hook) return null;
  if (hook.active === active) return { changed: false, name: hook.name };
  getDb().transaction((tx) => {
    tx.update(webhooks).set({ active }).where(eq(webhooks.id, id)).run();
    writeAudit(tx, ctx, { action: active ? "webhook.activated" : "webhook.deactivated", targetType: "webhook", targetId: id, orgId: hook.orgId, details: { name: hook.name } });
  });
  return { changed: true, name: hook.name };
}

/** Deletes an endpoint and its queued and past deliveries. Null when not found. */
export function deleteWebhook(ctx: ActionContext & { actor: Actor }, id: string) {
  const hook = findWebhook(ctx.actor, id);
  if (!hook) return null;
  getDb().transaction((tx) => {
    const dropped = tx.select({ n: count() }).from(outbox).where(eq(outbox.webhookId, id)).get()?.n ?? 0;
    tx.delete(webhooks).where(eq(webhooks.id, id)).run();
    writeAudit(tx, ctx, { action: "webhook.deleted", targetType: "webhook", targetId: id, orgId: hook.orgId, details: { name: hook.name, url: hook.url, deliveriesDropped: dropped } });
  });
  return { name: hook.name };
}

/**
 * Puts a dead or delivered row back in the queue (pending, attempts from zero, due now) with the same
 * body and delivery id, as GitHub's "redeliver". Null when not found; an error when it is still pending.
 */
export function redeliver(ctx: ActionContext & { actor: Actor }, outboxId: number): FieldResult<{ id: number }> | null {
  const db = getDb();
  const row = db
    .select({ id: outbox.id, status: outbox.status, event: outbox.event, webhookId: outbox.webhookId, orgId: webhooks.orgId })
    .from(outbox)
    .innerJoin(webhooks, eq(webhooks.id, outbox.webhookId))
    .where(and(eq(outbox.id, outboxId), scopeWhere(scopeFor(ctx.actor), webhooks.orgId)))
    .get();
  if (!row) return null;
  if (row.status === "pending") return { ok: false, field: "_form", message: `Delivery ${row.id} is still queued: it will be attempted again automatically.` };
  db.transaction((tx) => {
    tx.update(outbox)
      .set({ status: "pending", attempts: 0, nextAttemptAt: ctx.now ?? new Date(), deliveredAt: null })
      .where(and(eq(outbox.id, row.id), inArray(outbox.status, ["dead", "delivered"])))
      .run();
    writeAudit(tx, ctx, { action: "webhook.redelivered", targetType: "webhook", targetId: row.webhookId, orgId: row.orgId, details: { delivery: row.id, event: row.event, previousStatus: row.status } });
  });
  return { ok: true, value: { id: row.id } };
}

/** Deliveries (outbox rows), newest first, optionally for one webhook or one status; paginated. */
export function listDeliveries(actor: Actor, query: DeliveryQuery, pageSize = 25) {
  const db = getDb();
  const conds: (SQL | undefined)[] = [scopeWhere(scopeFor(actor), webhooks.orgId)];
  if (query.webhook) conds.push(eq(outbox.webhookId, query.webhook));
  if (query.status) conds.push(eq(outbox.status, query.status));
  const where = and(...conds);
  const total = db.select({ n: count() }).from(outbox).innerJoin(webhooks, eq(webhooks.id, outbox.webhookId)).where(where).get()?.n ?? 0;
  const { page, pageCount } = pageWindow(total, query.page ?? 1, pageSize);
  const rows = db
    .select({
      id: outbox.id,
      webhookId: outbox.webhookId,
      webhookName: webhooks.name,
      event: outbox.event,
      status: outbox.status,
      attempts: outbox.attempts,
      lastStatus: outbox.lastStatus,
      lastError: outbox.lastError,
      nextAttemptAt: outbox.nextAttemptAt,
      createdAt: outbox.createdAt,
      deliveredAt: outbox.deliveredAt,
    })
    .from(outbox)
    .innerJoin(webhooks, eq(webhooks.id, outbox.webhookId))
    .where(where)
    .orderBy(desc(outbox.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
  return { rows, total, page, pageCount };
}
