import { getDb } from "../../db/client";
import { catalogEndpoints, catalogModels, credentialRotations, credentials, orgEntitlements, webhooks } from "../../db/schema";

// Test credentials by direct insert (registration has its own tests). Every key id is unique.

let n = 0;
export const uniqueKeyId = (prefix = "kw_test") => `${prefix}_${Date.now().toString(36)}${(n++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
export const DAY = 86_400_000;
export const daysAgo = (d: number, now = new Date()) => new Date(now.getTime() - d * DAY);

export function createCredential(orgId: string, overrides: Partial<typeof credentials.$inferInsert> = {}) {
  const row = {
    id: crypto.randomUUID(),
    keyId: uniqueKeyId(),
    orgId,
    label: "Test credential",
    holderService: "billing-batch",
    grantModels: ["@ga"],
    grantEndpoints: ["*"],
    environment: "production" as const,
    storage: "secrets_manager" as const,
    status: "active" as const,
    issuedAt: daysAgo(10),
    ...overrides,
  };
  getDb().insert(credentials).values(row).run();
  return row;
}

export function setEntitlements(orgId: string, models: string[], endpoints: string[] = ["*"]) {
  const db = getDb();
  for (const name of models) db.insert(orgEntitlements).values({ orgId, kind: "model", name }).onConflictDoNothing().run();
  for (const name of endpoints) db.insert(orgEntitlements).values({ orgId, kind: "endpoint", name }).onConflictDoNothing().run();
}

/** A webhook receiver subscribed to `events` (orgId null: the gateway's internal endpoint). */
export function createWebhook(events: string[], orgId: string | null = null) {
  const row = { id: crypto.randomUUID(), name: `hook-${uniqueKeyId("w")}`, url: "https://receiver.example.test/hook", events, secret: "s3cret-for-tests", orgId };
  getDb().insert(webhooks).values(row).run();
  return row;
}

export function createRotation(credentialId: string, r: { oldKeyId: string; newKeyId: string; rotatedAt: Date; graceEndsAt: Date }) {
  getDb()
    .insert(credentialRotations)
    .values({ credentialId, ...r })
    .run();
}

/** A small catalog: two GA models, a restricted one, and two endpoints. Idempotent. */
export function seedCatalog() {
  const db = getDb();
  for (const [name, status] of [["opus-4", "ga"], ["sonnet-4", "ga"], ["mythos-preview", "restricted"]] as const) db.insert(catalogModels).values({ name, status }).onConflictDoNothing().run();
  for (const [name, pathTemplate] of [["messages", "/v1/messages"], ["batches", "/v1/messages/batches"]] as const)
    db.insert(catalogEndpoints).values({ name, methods: ["POST"], pathTemplate, namesModel: false }).onConflictDoNothing().run();
}
