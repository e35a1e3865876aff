import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { credentials, organizations, users } from "./schema";

// The reviews area's tables (issue 5): access review campaigns and their items. Listed in db/client.ts's schema.
// Dates a person picks (opens, due) are YYYY-MM-DD text in UTC; instants are integer milliseconds.

/** The facts about a credential frozen when a campaign opens (see app/domain/campaign.ts CampaignSnapshot). */
export type CampaignSnapshotJson = Record<string, unknown>;

export const campaigns = sqliteTable(
  "campaigns",
  {
    id: text("id").primaryKey().$defaultFn(() => crypto.randomUUID()),
    name: text("name").notNull(),
    /** The first campaign's id: every recurrence of it shares the series (differential mode compares within it). */
    seriesId: text("series_id").notNull(),
    sequence: integer("sequence").notNull().default(1),
    scopeOrgIds: text("scope_org_ids", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    scopeTiers: text("scope_tiers", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    scopeModels: text("scope_models", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** A named reviewer for every item; null: each organisation's owning vendor manager (else the campaign owner). */
    reviewerId: text("reviewer_id").references((): AnySQLiteColumn => users.id),
    firstPass: integer("first_pass", { mode: "boolean" }).notNull().default(false),
    mode: text("mode", { enum: ["full", "differential"] }).notNull().default("full"),
    undecidedRule: text("undecided_rule", { enum: ["keep", "revoke"] }).notNull().default("keep"),
    opensOn: text("opens_on").notNull(),
    dueOn: text("due_on").notNull(),
    recurrenceDays: integer("recurrence_days"),
    status: text("status", { enum: ["scheduled", "open", "closed"] }).notNull().default("scheduled"),
    ownerId: text("owner_id")
      .notNull()
      .references((): AnySQLiteColumn => users.id),
    openedAt: integer("opened_at", { mode: "timestamp_ms" }),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    closedById: text("closed_by_id").references((): AnySQLiteColumn => users.id),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  },
  (t) => [index("campaigns_status_due_idx").on(t.status, t.dueOn), index("campaigns_series_idx").on(t.seriesId, t.sequence), index("campaigns_created_idx").on(t.createdAt)],
);

export const campaignItems = sqliteTable(
  "campaign_items",
  {
    id: text("id").primaryKey().$defaultFn(() => crypto.randomUUID()),
    campaignId: text("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    credentialId: text("credential_id")
      .notNull()
      .references(() => credentials.id),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    snapshot: text("snapshot", { mode: "json" }).$type<CampaignSnapshotJson>().notNull(),
    /** Digest of the reviewable facts (differential mode: unchanged since the last closed campaign → left out). */
    factsDigest: text("facts_digest").notNull(),
    // Filter columns, from the snapshot.
    unused: integer("unused", { mode: "boolean" }).notNull().default(false),
    rotationOverdue: integer("rotation_overdue", { mode: "boolean" }).notNull().default(false),
    shared: integer("shared", { mode: "boolean" }).notNull().default(false),
    flagged: integer("flagged", { mode: "boolean" }).notNull().default(false),
    reviewerId: text("reviewer_id").references(() => users.id),
    decision: text("decision", { enum: ["keep", "revoke", "narrow", "unsure"] }),
    comment: text("comment"),
    narrowedTo: text("narrowed_to", { mode: "json" }).$type<{ models: string[]; endpoints: string[] }>(),
    decidedById: text("decided_by_id").references(() => users.id),
    decidedAt: integer("decided_at", { mode: "timestamp_ms" }),
    /** What was carried out: "revoked", "narrowed", "kept", "kept at close (undecided)", "revoked at close (undecided)", or why not. */
    outcome: text("outcome"),
    escalatedAt: integer("escalated_at", { mode: "timestamp_ms" }),
    firstPassDecision: text("first_pass_decision", { enum: ["keep", "revoke", "narrow", "unsure"] }),
    firstPassComment: text("first_pass_comment"),
    firstPassById: text("first_pass_by_id").references(() => users.id),
    firstPassAt: integer("first_pass_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("campaign_items_campaign_org_idx").on(t.campaignId, t.orgId),
    index("campaign_items_reviewer_idx").on(t.reviewerId, t.campaignId),
    index("campaign_items_credential_idx").on(t.credentialId),
  ],
);
