import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// Every table of Keyward. Times are integer milliseconds (Date in TypeScript) unless noted.
// Dialect-specific lines stay in db/ so that the PostgreSQL port touches only this folder and app/models.

const id = () => text("id").primaryKey().$defaultFn(() => crypto.randomUUID());
const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date());
const updatedAt = () => integer("updated_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date());

export const organizations = sqliteTable(
  "organizations",
  {
    id: id(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["partner", "contractor"] }).notNull(),
    parentId: text("parent_id").references((): AnySQLiteColumn => organizations.id),
    tier: text("tier", { enum: ["restricted", "standard"] }).notNull().default("standard"),
    status: text("status", { enum: ["onboarding", "active", "suspended", "offboarded"] }).notNull().default("onboarding"),
    agreementStart: text("agreement_start"), // ISO date (YYYY-MM-DD)
    agreementEnd: text("agreement_end"),
    ownerId: text("owner_id").references((): AnySQLiteColumn => users.id),
    contactEmail: text("contact_email"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("organizations_slug_uq").on(t.slug),
    index("organizations_parent_idx").on(t.parentId),
    index("organizations_name_idx").on(t.name),
    index("organizations_owner_idx").on(t.ownerId),
  ],
);

export const users = sqliteTable(
  "users",
  {
    id: id(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    orgId: text("org_id").references(() => organizations.id),
    role: text("role", { enum: ["vendor_manager", "security", "auditor", "partner_admin", "partner_member"] }).notNull(),
    status: text("status", { enum: ["invited", "active", "deactivated"] }).notNull().default("invited"),
    passwordHash: text("password_hash"),
    lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_uq").on(t.email), index("users_org_idx").on(t.orgId), index("users_name_idx").on(t.name)],
);

// lucia v3 session table (expires_at in seconds, as the drizzle adapter expects).
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

export const invitations = sqliteTable(
  "invitations",
  {
    id: id(), // the JWT's jti
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    invitedById: text("invited_by_id").references(() => users.id),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    usedAt: integer("used_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("invitations_user_idx").on(t.userId)],
);

// Failed sign-ins, keyed by "account:<email>" and "ip:<address>", for throttling.
export const loginFailures = sqliteTable(
  "login_failures",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("login_failures_key_at_idx").on(t.key, t.at)],
);

export const catalogModels = sqliteTable(
  "catalog_models",
  {
    id: id(),
    name: text("name").notNull(),
    status: text("status", { enum: ["ga", "restricted", "unreleased", "retired"] }).notNull(),
    aliases: text("aliases", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    description: text("description"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("catalog_models_name_uq").on(t.name)],
);

export const catalogEndpoints = sqliteTable(
  "catalog_endpoints",
  {
    id: id(),
    name: text("name").notNull(),
    methods: text("methods", { mode: "json" }).$type<string[]>().notNull(),
    pathTemplate: text("path_template").notNull(),
    namesModel: integer("names_model", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("catalog_endpoints_name_uq").on(t.name)],
);

export const policies = sqliteTable("policies", {
  tier: text("tier", { enum: ["restricted", "standard"] }).primaryKey(),
  maxCredentialAgeDays: integer("max_credential_age_days").notNull(),
  unusedThresholdDays: integer("unused_threshold_days").notNull(),
  attestationCadenceDays: integer("attestation_cadence_days").notNull(),
  reviewCadenceDays: integer("review_cadence_days").notNull(),
  rotationGraceHours: integer("rotation_grace_hours").notNull(),
  updatedAt: updatedAt(),
  updatedById: text("updated_by_id").references(() => users.id),
});

// Append-only. Each row's hash covers its content and the previous row's hash.
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    actorId: text("actor_id"),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id"),
    orgId: text("org_id"),
    details: text("details").notNull().default("{}"),
    ip: text("ip"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actorId, t.id),
    index("audit_log_action_idx").on(t.action, t.id),
    index("audit_log_target_idx").on(t.targetType, t.targetId),
    index("audit_log_org_idx").on(t.orgId, t.id),
  ],
);

// The newest audit row's id and hash, written in the same transaction as the row: deleting the
// newest rows with plain SQL leaves the chain shorter than its head and is detected.
export const auditHead = sqliteTable("audit_head", {
  id: integer("id").primaryKey(),
  lastId: integer("last_id").notNull(),
  lastHash: text("last_hash").notNull(),
});
