import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { credentials, outbox, webhooks } from "../../db/schema";

// Direct inserts for outbox, webhook and scheduler tests (no audit, no events: the state under test).

let n = 0;
const next = () => `${Date.now().toString(36)}${(n++).toString(36)}`;

export function insertWebhook(overrides: Partial<typeof webhooks.$inferInsert> & { url: string }) {
  const row = {
    id: crypto.randomUUID(),
    name: `hook-${next()}`,
    events: ["*"],
    secret: `secret-${next()}-${crypto.randomUUID()}`,
    orgId: null,
    active: true,
    ...overrides,
  };
  getDb().insert(webhooks).values(row).run();
  return row;
}

export function insertCredential(orgId: string, overrides: Partial<typeof credentials.$inferInsert> = {}) {
  const row = {
    id: crypto.randomUUID(),
    keyId: `kw_test_${next()}`,
    orgId,
    label: "CI key",
    holderService: "ci",
    grantModels: ["@ga"],
    grantEndpoints: ["*"],
    environment: "production" as const,
    storage: "secrets_manager" as const,
    status: "active" as const,
    issuedAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
  getDb().insert(credentials).values(row).run();
  return row;
}

/** Outbox rows in id order, optionally for one webhook. */
export function outboxRows(webhookId?: string) {
  const q = getDb().select().from(outbox);
  return (webhookId ? q.where(eq(outbox.webhookId, webhookId)) : q).orderBy(asc(outbox.id)).all();
}
