import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// The triage area's tables (issue 7; see db/schema.ts for the conventions). Listed in db/client.ts's schema.
// Flags themselves live in db/schema.ts (detection writes them during imports).

const id = () => text("id").primaryKey().$defaultFn(() => crypto.randomUUID());
const at = () => integer("at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date());

/**
 * A flag's thread: every triage action (acknowledged, assigned, escalated, resolved, false positive,
 * credential suspended or revoked), security's notes and the partner's responses, in time order.
 * `partnerVisible`: shown to the flag's organisation (its own responses, and what happened to its flag).
 */
export const flagActivity = sqliteTable(
  "flag_activity",
  {
    id: id(),
    flagId: text("flag_id").notNull(),
    kind: text("kind", { enum: ["acknowledged", "assigned", "escalated", "resolved", "false_positive", "suspended", "revoked", "note", "response", "reopened"] }).notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name"), // as it was when written (the thread reads like a log)
    body: text("body"),
    partnerVisible: integer("partner_visible", { mode: "boolean" }).notNull().default(false),
    at: at(),
  },
  (t) => [index("flag_activity_flag_idx").on(t.flagId, t.at)],
);

/** Who works on a flag (one assignee; a later assignment replaces it). */
export const flagAssignments = sqliteTable(
  "flag_assignments",
  {
    flagId: text("flag_id").primaryKey(),
    assigneeId: text("assignee_id").notNull(),
    assignedById: text("assigned_by_id"),
    at: at(),
  },
  (t) => [index("flag_assignments_assignee_idx").on(t.assigneeId)],
);

/**
 * "Do not flag this again": a rule for a credential or a source address until `expiresAt`. Detection
 * skips matching findings (no flag raised, no flag updated).
 */
export const detectionSuppressions = sqliteTable(
  "detection_suppressions",
  {
    id: id(),
    rule: text("rule").notNull(),
    credentialId: text("credential_id"),
    srcIp: text("src_ip"),
    reason: text("reason").notNull(),
    flagId: text("flag_id"),
    createdById: text("created_by_id"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("detection_suppressions_rule_idx").on(t.rule, t.expiresAt)],
);

/** Per-rule thresholds that differ from the rule's defaults (validated on the Settings page). */
export const detectionRuleSettings = sqliteTable("detection_rule_settings", {
  rule: text("rule").primaryKey(),
  thresholds: text("thresholds", { mode: "json" }).$type<Record<string, number>>().notNull(),
  updatedById: text("updated_by_id"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
});

/** The containment policy (one row, id 1): suspend a credential automatically on a critical flag. Off by default. */
export const detectionPolicy = sqliteTable("detection_policy", {
  id: integer("id").primaryKey(),
  autoSuspendCritical: integer("auto_suspend_critical", { mode: "boolean" }).notNull().default(false),
  updatedById: text("updated_by_id"),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
});
