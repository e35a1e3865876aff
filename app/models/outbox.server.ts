import { and, asc, eq, inArray, isNull, lte, or } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../db/client";
import { organizations, outbox, webhooks } from "../../db/schema";
import { afterFailure } from "~/domain/backoff";
import { sendDelivery, type DeliveryOutcome, type FetchLike } from "~/outbox-delivery.server";


/** `text`: a one-line summary for chat receivers (a Slack incoming webhook reads it; others may ignore it). */
export type OutboxEnvelope = { id: string; event: string; occurredAt: string; text?: string; data: Record<string, unknown> };

/**
 * Queues `event` for every active webhook that subscribes to it and may hear about `orgId`:
 * internal receivers (the gateway's admin endpoint: no organisation) hear everything; a partner's
 * receiver hears about its own organisation and its contractors. Call inside the transaction of the
 * change that caused the event, so both commit or neither does. Returns the number of rows queued.
 */
export function enqueueEvent(tx: DbOrTx, event: string, data: Record<string, unknown>, opts: { orgId: string | null; now?: Date; text?: string; receivers?: readonly { id: string }[] }): number {
  const now = opts.now ?? new Date();
  const receivers = opts.receivers ?? eventReceivers(tx, event, opts.orgId);
  for (const w of receivers) {
    const envelope: OutboxEnvelope = { id: crypto.randomUUID(), event, occurredAt: now.toISOString(), ...(opts.text ? { text: opts.text } : {}), data };
    tx.insert(outbox).values({ webhookId: w.id, event, payload: JSON.stringify(envelope), nextAttemptAt: now, createdAt: now }).run();
  }
  return receivers.length;
}

/**
 * The active webhooks that subscribe to `event` and may hear about `orgId` (see enqueueEvent). A caller
 * that queues many events of one kind (detection during an import) resolves them once per organisation
 * and passes them to enqueueEvent as `receivers`.
 */
export function eventReceivers(tx: DbOrTx, event: string, orgId: string | null): { id: string }[] {
  const orgIds: string[] = [];
  if (orgId) {
    orgIds.push(orgId);
    const parentId = tx.select({ parentId: organizations.parentId }).from(organizations).where(eq(organizations.id, orgId)).get()?.parentId;
    if (parentId) orgIds.push(parentId);
  }
  return tx
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(and(eq(webhooks.active, true), orgIds.length ? or(isNull(webhooks.orgId), inArray(webhooks.orgId, orgIds)) : isNull(webhooks.orgId)))
    .all()
    .filter((w) => w.events.includes(event) || w.events.includes("*"))
    .map((w) => ({ id: w.id }));
}

/** Rows still waiting to be delivered, across every webhook. */
export function countPending() {
  return getDb().$count(outbox, eq(outbox.status, "pending"));
}

// ---- Delivery (issue 3 point 7) ----

/** How long a claimed row is held before another scheduler may take it (longer than any send). */
export const CLAIM_LEASE_MS = 120_000;

export type DeliveryRunResult = { claimed: number; delivered: number; failed: number; dead: number };

/**
 * Claims up to `limit` due rows (pending, next attempt at or before `now`, webhook active) in one short
 * IMMEDIATE transaction that moves their next attempt forward by a lease: a second scheduler, in this
 * process or another, finds nothing to take. Synchronous: a caller that runs twice in parallel claims
 * disjoint rows.
 */
function claimDue(now: Date, limit: number) {
  const db = getDb();
  return db.transaction(
    (tx) => {
      const rows = tx
        .select({ id: outbox.id, event: outbox.event, payload: outbox.payload, attempts: outbox.attempts, url: webhooks.url, secret: webhooks.secret })
        .from(outbox)
        .innerJoin(webhooks, eq(webhooks.id, outbox.webhookId))
        .where(and(eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, now), eq(webhooks.active, true)))
        .orderBy(asc(outbox.nextAttemptAt), asc(outbox.id))
        .limit(limit)
        .all();
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      tx.update(outbox)
        .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) })
        .where(and(inArray(outbox.id, ids), eq(outbox.status, "pending"), lte(outbox.nextAttemptAt, now)))
        .run();
      return rows;
    },
    { behavior: "immediate" },
  );
}

/** Records one attempt's outcome: delivered, or a failure with its backoff, or dead after the last allowed attempt. */
function recordOutcome(row: { id: number; attempts: number }, outcome: DeliveryOutcome, now: Date, random: () => number): "delivered" | "failed" | "dead" {
  const db = getDb();
  const attempts = row.attempts + 1;
  const where = and(eq(outbox.id, row.id), eq(outbox.status, "pending"));
  if (outcome.ok) {
    db.update(outbox).set({ status: "delivered", attempts, lastStatus: outcome.status, lastError: null, deliveredAt: now }).where(where).run();
    return "delivered";
  }
  const next = afterFailure(attempts, now, random);
  db.update(outbox)
    .set({ attempts, lastStatus: outcome.status, lastError: outcome.error, ...(next.status === "dead" ? { status: "dead" as const } : { nextAttemptAt: next.nextAttemptAt }) })
    .where(where)
    .run();
  return next.status === "dead" ? "dead" : "failed";
}

export type DeliverOptions = {
  now?: Date;
  limit?: number;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Jitter source for the backoff (tests pass a constant). */
  random?: () => number;
  /** Deliveries sent at the same time. */
  concurrency?: number;
};

/**
 * Sends the due outbox rows: each POSTed with its stored body, signed (see outbox-delivery.server.ts).
 * 2xx → delivered; otherwise attempts + 1, the status and error kept, the next attempt after the
 * backoff (domain/backoff.ts), and dead after MAX_DELIVERY_ATTEMPTS failures. Rows are claimed before
 * any request is made, and no transaction spans a request.
 */
export async function deliverDueOutbox(opts: DeliverOptions = {}): Promise<DeliveryRunResult> {
  const now = opts.now ?? new Date();
  const random = opts.random ?? Math.random;
  const rows = claimDue(now, opts.limit ?? 50);
  const result: DeliveryRunResult = { claimed: rows.length, delivered: 0, failed: 0, dead: 0 };
  const timestamp = Math.floor(now.getTime() / 1000);
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++];
      const outcome = await sendDelivery(
        { url: row.url, secret: row.secret, event: row.event, deliveryId: row.id, body: row.payload, timestamp },
        { fetch: opts.fetch, timeoutMs: opts.timeoutMs },
      );
      result[recordOutcome(row, outcome, now, random)]++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(rows.length, Math.max(1, opts.concurrency ?? 4)) }, worker));
  return result;
}
