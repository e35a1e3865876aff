import { and, eq, inArray, isNull, or } from "drizzle-orm";
import { getDb, type Db } from "../../db/client";
import { organizations, outbox, webhooks } from "../../db/schema";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export type OutboxEnvelope = { id: string; event: string; occurredAt: string; data: Record<string, unknown> };

/**
 * Queues `event` for every active webhook that subscribes to it and may hear about `orgId`:
 * internal receivers (the gateway's admin endpoint: no organisation) hear everything; a partner's
 * receiver hears about its own organisation and its contractors. Call inside the transaction of the
 * change that caused the event, so both commit or neither does. Returns the number of rows queued.
 */
export function enqueueEvent(tx: Tx, event: string, data: Record<string, unknown>, opts: { orgId: string | null; now?: Date }): number {
  const now = opts.now ?? new Date();
  const orgIds: string[] = [];
  if (opts.orgId) {
    orgIds.push(opts.orgId);
    const parentId = tx.select({ parentId: organizations.parentId }).from(organizations).where(eq(organizations.id, opts.orgId)).get()?.parentId;
    if (parentId) orgIds.push(parentId);
  }
  const receivers = tx
    .select({ id: webhooks.id, events: webhooks.events })
    .from(webhooks)
    .where(and(eq(webhooks.active, true), orgIds.length ? or(isNull(webhooks.orgId), inArray(webhooks.orgId, orgIds)) : isNull(webhooks.orgId)))
    .all()
    .filter((w) => w.events.includes(event) || w.events.includes("*"));
  for (const w of receivers) {
    const envelope: OutboxEnvelope = { id: crypto.randomUUID(), event, occurredAt: now.toISOString(), data };
    tx.insert(outbox).values({ webhookId: w.id, event, payload: JSON.stringify(envelope), nextAttemptAt: now, createdAt: now }).run();
  }
  return receivers.length;
}

/** Pending rows for one webhook, newest first (for the settings page). */
export function countPending() {
  return getDb().$count(outbox, eq(outbox.status, "pending"));
}
