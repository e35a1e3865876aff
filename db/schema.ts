import { sql } from "drizzle-orm";
import { type AnySQLiteColumn, index, integer, primaryKey, sqliteTable, sqliteView, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

// ---- Credential inventory (issue 3) ----

/** What an organisation may use: model names or "@ga" (every GA model), endpoint names or "*". */
export const orgEntitlements = sqliteTable(
  "org_entitlements",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["model", "endpoint"] }).notNull(),
    name: text("name").notNull(),
    grantedById: text("granted_by_id").references(() => users.id),
    grantedAt: integer("granted_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind, t.name] })],
);

/** A credential held outside the company. Never the secret: the key id the gateway logs, and optionally the SHA-256 of the secret. */
export const credentials = sqliteTable(
  "credentials",
  {
    id: id(),
    keyId: text("key_id").notNull(),
    fingerprint: text("fingerprint"),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    label: text("label").notNull(),
    holderUserId: text("holder_user_id").references(() => users.id),
    holderService: text("holder_service"),
    grantModels: text("grant_models", { mode: "json" }).$type<string[]>().notNull(),
    grantEndpoints: text("grant_endpoints", { mode: "json" }).$type<string[]>().notNull(),
    environment: text("environment", { enum: ["production", "staging", "development", "ci", "other"] }).notNull(),
    storage: text("storage", { enum: ["secrets_manager", "ci_secret", "local_file", "shared_drive", "other"] }).notNull(),
    status: text("status", { enum: ["active", "suspended", "revoked", "expired"] }).notNull().default("active"),
    statusReason: text("status_reason"),
    issuedAt: integer("issued_at", { mode: "timestamp_ms" }).notNull(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }),
    lastRotatedAt: integer("last_rotated_at", { mode: "timestamp_ms" }),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
    lastUsedIp: text("last_used_ip"),
    lastUsedUserAgent: text("last_used_user_agent"),
    lastReviewedAt: integer("last_reviewed_at", { mode: "timestamp_ms" }),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    revokedById: text("revoked_by_id").references(() => users.id),
    revokedReason: text("revoked_reason"),
    createdById: text("created_by_id").references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("credentials_key_id_uq").on(t.keyId),
    index("credentials_fingerprint_idx").on(t.fingerprint),
    index("credentials_org_status_idx").on(t.orgId, t.status),
    index("credentials_status_idx").on(t.status),
    index("credentials_last_used_idx").on(t.lastUsedAt),
    index("credentials_issued_idx").on(t.issuedAt),
    index("credentials_holder_idx").on(t.holderUserId),
  ],
);

/** Contractor organisations a credential is shared with. */
export const credentialShares = sqliteTable(
  "credential_shares",
  {
    credentialId: text("credential_id")
      .notNull()
      .references(() => credentials.id, { onDelete: "cascade" }),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.orgId] }), index("credential_shares_org_idx").on(t.orgId)],
);

/** Rotation history: the old key id stays recognisable (misuse after its grace period). */
export const credentialRotations = sqliteTable(
  "credential_rotations",
  {
    id: id(),
    credentialId: text("credential_id")
      .notNull()
      .references(() => credentials.id, { onDelete: "cascade" }),
    oldKeyId: text("old_key_id").notNull(),
    newKeyId: text("new_key_id").notNull(),
    oldFingerprint: text("old_fingerprint"),
    rotatedAt: integer("rotated_at", { mode: "timestamp_ms" }).notNull(),
    graceEndsAt: integer("grace_ends_at", { mode: "timestamp_ms" }).notNull(),
    rotatedById: text("rotated_by_id").references(() => users.id),
  },
  (t) => [index("credential_rotations_credential_idx").on(t.credentialId, t.rotatedAt), index("credential_rotations_old_key_idx").on(t.oldKeyId), index("credential_rotations_old_fp_idx").on(t.oldFingerprint)],
);

/** Webhook receivers: the gateway's admin endpoint (orgId null) or a partner's (orgId set). */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: id(),
    name: text("name").notNull(),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    secret: text("secret").notNull(), // HMAC-SHA256 key for the signature header
    orgId: text("org_id").references(() => organizations.id),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdById: text("created_by_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("webhooks_org_idx").on(t.orgId)],
);

/** Notifications and gateway calls, written in the transaction of the change that caused them. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    event: text("event").notNull(),
    payload: text("payload").notNull(), // JSON body, exactly as sent
    status: text("status", { enum: ["pending", "delivered", "dead"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at", { mode: "timestamp_ms" }).notNull(),
    lastError: text("last_error"),
    lastStatus: integer("last_status"),
    createdAt: createdAt(),
    deliveredAt: integer("delivered_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("outbox_due_idx").on(t.status, t.nextAttemptAt), index("outbox_webhook_idx").on(t.webhookId, t.id)],
);

/** Idempotency marks for scheduled jobs: a key such as "rotation-reminder:<credential>:<stage>:<due date>" is done once. */
export const jobMarks = sqliteTable("job_marks", {
  key: text("key").primaryKey(),
  at: integer("at", { mode: "timestamp_ms" }).notNull(),
});

// ---- Gateway log import (issue 6) ----

export const logImports = sqliteTable(
  "log_imports",
  {
    id: id(),
    source: text("source").notNull(),
    format: text("format").notNull(),
    via: text("via", { enum: ["upload", "cli", "push"] }).notNull(),
    fileName: text("file_name"),
    sha256: text("sha256"), // of the file's bytes, when the input is a file (resume key)
    sizeBytes: integer("size_bytes"),
    status: text("status", { enum: ["queued", "running", "completed", "failed", "interrupted"] }).notNull().default("queued"),
    bytesDone: integer("bytes_done").notNull().default(0), // decompressed offset committed with each batch: where a resumed import continues
    progress: integer("progress").notNull().default(0), // per mille of the input read, for the progress bar
    heartbeatAt: integer("heartbeat_at", { mode: "timestamp_ms" }),
    runnerPid: integer("runner_pid"), // the process running it: a "running" import whose process is gone has died
    lines: integer("lines").notNull().default(0),
    parsed: integer("parsed").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    matched: integer("matched").notNull().default(0),
    unmatched: integer("unmatched").notNull().default(0),
    secretsStripped: integer("secrets_stripped").notNull().default(0),
    flagsRaised: integer("flags_raised").notNull().default(0),
    rejectedSamples: text("rejected_samples", { mode: "json" }).$type<{ line: number; reason: string }[]>().notNull().default(sql`'[]'`),
    secretFields: text("secret_fields", { mode: "json" }).$type<Record<string, number>>().notNull().default(sql`'{}'`),
    firstEventAt: integer("first_event_at", { mode: "timestamp_ms" }),
    lastEventAt: integer("last_event_at", { mode: "timestamp_ms" }),
    error: text("error"),
    createdById: text("created_by_id").references(() => users.id),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
    finishedAt: integer("finished_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("log_imports_started_idx").on(t.startedAt), index("log_imports_sha_idx").on(t.sha256, t.source)],
);

/**
 * Compact integer references for the rows of log_events: credential and import ids are 36-byte UUID
 * text, which in every event row and every (credential, ts) index entry made the import's inserts
 * about a third slower. A reference is created once per credential or import and never changes.
 */
export const eventRefs = sqliteTable(
  "event_refs",
  {
    ref: integer("ref").primaryKey(),
    kind: text("kind", { enum: ["credential", "import"] }).notNull(),
    targetId: text("target_id").notNull(),
  },
  (t) => [uniqueIndex("event_refs_target_uq").on(t.kind, t.targetId)],
);

/**
 * The strings of gateway events (key references, addresses, user agents, methods, paths, endpoints,
 * models, countries, gateway errors), each stored once: an event row holds their ids. A row of integers
 * is about half the bytes and measured about a tenth cheaper to insert than one of strings (README,
 * "Gateway log import"). Strings no event uses any more are purged with the events (retention).
 */
export const eventStrings = sqliteTable("event_strings", { id: integer("id").primaryKey(), value: text("value").notNull() }, (t) => [uniqueIndex("event_strings_value_uq").on(t.value)]);

/**
 * Bumped by every purge of event_strings: an import's cache of string ids (db/event-store.ts) is valid
 * only while the epoch it read stands. One row.
 */
export const eventStringsEpoch = sqliteTable("event_strings_epoch", { id: integer("id").primaryKey(), epoch: integer("epoch").notNull() });

/** An event's columns other than its strings: the same in log_event_rows and the log_events view. */
const eventNumbers = () => ({
  eventKey: integer("event_key").notNull(),
  importRef: integer("import_ref").notNull(),
  ts: integer("ts").notNull(), // epoch ms
  requestId: text("request_id"), // unique per request: not worth a string id
  credentialRef: integer("credential_ref"),
  asn: integer("asn"),
  status: integer("status").notNull(),
  bytes: integer("bytes"),
  latencyMs: integer("latency_ms"),
  tokensIn: integer("tokens_in"),
  tokensOut: integer("tokens_out"),
});

/** An event's optional strings: event_strings ids in log_event_rows (`integer`), text in the view (`text`). Method and path are required. */
const eventStringColumns = <C>(column: (name: string) => C) => ({
  keyRef: column("key_ref"),
  srcIp: column("src_ip"),
  country: column("country"),
  userAgent: column("user_agent"),
  endpoint: column("endpoint"),
  model: column("model"),
  gatewayError: column("gateway_error"),
});

/** log_event_rows' columns that hold event_strings ids (retention's purge of unused strings reads them all). */
export const EVENT_STRING_COLUMNS: readonly string[] = [...Object.values(eventStringColumns((name) => name)), "method", "path"];

/**
 * One gateway request, as stored: its strings are event_strings ids. Read it through the log_events view
 * (below), which gives them back as text. Unique on (ts, eventKey): a re-import stores nothing twice, and
 * since events arrive roughly in time order, that index grows at its end (cheap) and also serves time
 * ranges. Two indexes only: every index costs the import's hot path; per-IP questions scan a time range.
 * The import and the credential are integer references (event_refs), not their UUIDs.
 */
export const logEventRows = sqliteTable(
  "log_event_rows",
  {
    id: integer("id").primaryKey(), // the rowid: no AUTOINCREMENT bookkeeping per insert
    ...eventNumbers(),
    ...eventStringColumns((name) => integer(name)),
    method: integer("method").notNull(),
    path: integer("path").notNull(),
  },
  (t) => [
    uniqueIndex("log_events_ts_key_uq").on(t.ts, t.eventKey),
    index("log_events_credential_ts_idx").on(t.credentialRef, t.ts),
  ],
);

/**
 * Gateway events as readers see them: log_event_rows with its strings as text (a view, created by
 * migration 0008, not by drizzle-kit). INSERT and INSERT OR IGNORE into it work too (a trigger stores the
 * strings), for seeds and tests (insertLogEvents); no UPDATE or upsert. The import writes log_event_rows
 * directly (db/event-store.ts). A migration that rebuilds log_event_rows (drizzle-kit's copy, drop and
 * rename) must drop the view and its two triggers first and create them again after (0008's last lines).
 */
export const logEvents = sqliteView("log_events", {
  id: integer("id").notNull(),
  ...eventNumbers(),
  ...eventStringColumns((name) => text(name)),
  method: text("method").notNull(),
  path: text("path").notNull(),
}).existing();

/** Key references seen at the gateway per import, registered or not (unregistered ones are listed in the report). */
export const logImportKeys = sqliteTable(
  "log_import_keys",
  {
    importId: text("import_id")
      .notNull()
      .references(() => logImports.id, { onDelete: "cascade" }),
    keyRef: text("key_ref").notNull(),
    credentialId: text("credential_id"),
    events: integer("events").notNull(),
    successes: integer("successes").notNull(),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.keyRef] })],
);

/** Per-credential daily usage, kept after raw events are purged (timelines, baselines). */
export const credentialUsageDaily = sqliteTable(
  "credential_usage_daily",
  {
    credentialId: text("credential_id").notNull(),
    day: text("day").notNull(), // YYYY-MM-DD (UTC)
    requests: integer("requests").notNull(),
    errors: integer("errors").notNull(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.day] }), index("credential_usage_daily_day_idx").on(t.day)], // day: dashboards' daily totals (issue 8)
);

export const credentialDailyIps = sqliteTable(
  "credential_daily_ips",
  {
    credentialId: text("credential_id").notNull(),
    day: text("day").notNull(),
    ip: text("ip").notNull(),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.day, t.ip] }), index("credential_daily_ips_day_idx").on(t.day, t.ip)], // distinct sources per day (issue 8)
);

// ---- Push API tokens (issue 6) ----
/** Bearer tokens for POST /api/v1/logs: JWTs (jose, ES256) whose jti is this row; revocable, listed, never stored. */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: id(), // the JWT's jti
    name: text("name").notNull(),
    scope: text("scope").notNull(), // "logs:write"
    source: text("source").notNull(), // the import source name pushed logs are filed under
    createdById: text("created_by_id").references(() => users.id),
    createdAt: createdAt(),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    revokedById: text("revoked_by_id").references(() => users.id),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("api_tokens_created_idx").on(t.createdAt)],
);

// ---- Detection (issue 7) ----
// `real` is imported here rather than in the header so that this block is a pure append.
import { real } from "drizzle-orm/sqlite-core";

export type FlagEvidence = { ts: number; method: string; path: string; status: number; srcIp: string | null; userAgent: string | null };

/**
 * A rule's finding about a subject (credential and/or source IP). A repeat firing of the same rule for
 * the same subject within the rule's window updates the open flag (count, last seen, evidence) instead
 * of adding one. Times firstSeen/lastSeen are the events' epoch ms.
 */
export const flags = sqliteTable(
  "flags",
  {
    id: id(),
    rule: text("rule").notNull(),
    severity: text("severity", { enum: ["info", "low", "medium", "high", "critical"] }).notNull(),
    credentialId: text("credential_id"),
    orgId: text("org_id"), // the credential's organisation, when there is a credential
    srcIp: text("src_ip"),
    keyRef: text("key_ref"),
    subjectKey: text("subject_key").notNull(), // "cred:<id>", "ip:<ip>", "key:<keyRef>", joined with "|" when several
    status: text("status", { enum: ["open", "acknowledged", "escalated", "resolved", "false_positive"] }).notNull().default("open"),
    firstSeen: integer("first_seen").notNull(),
    lastSeen: integer("last_seen").notNull(),
    count: integer("count").notNull().default(1),
    summary: text("summary").notNull(), // the latest finding's sentence
    evidence: text("evidence", { mode: "json" }).$type<FlagEvidence[]>().notNull().default(sql`'[]'`), // ≤ 20 entries
    windowMs: integer("window_ms").notNull(),
    importId: text("import_id"), // the import that raised it
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("flags_rule_subject_idx").on(t.rule, t.subjectKey, t.lastSeen),
    index("flags_status_severity_idx").on(t.status, t.severity, t.lastSeen),
    index("flags_credential_idx").on(t.credentialId, t.lastSeen),
    index("flags_org_idx").on(t.orgId, t.lastSeen),
  ],
);

/** What detection remembers about a credential between imports (new_source, dormant_reactivated, rate_burst, recon_then_use). */
export const credentialBaselines = sqliteTable("credential_baselines", {
  credentialId: text("credential_id").primaryKey(),
  firstSeenAt: integer("first_seen_at"), // epoch ms of the first event ever seen
  lastUsedAt: integer("last_used_at"),
  knownIps: text("known_ips", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`), // ≤ 200 most recent
  knownPrefixes: text("known_prefixes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`), // ≤ 100, prefix24() format
  modelsUsed: text("models_used", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  ratePerMinuteP99: real("rate_per_minute_p99"),
  updatedAt: updatedAt(),
});
