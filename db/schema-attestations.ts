import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { organizations, users } from "./schema";
import type { Control } from "../app/domain/attestation-template";

// The attestations area's tables (issue 4). Listed in db/client.ts's schema. Times are integer ms;
// calendar dates (period, due, effective, expiry) are ISO days (YYYY-MM-DD) as text.

const id = () => text("id").primaryKey().$defaultFn(() => crypto.randomUUID());
const createdAt = () => integer("created_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date());

/** A questionnaire version. A draft is edited; a published version is never changed again. */
export const attestationTemplates = sqliteTable(
  "attestation_templates",
  {
    id: id(),
    name: text("name").notNull(),
    version: integer("version").notNull(),
    status: text("status", { enum: ["draft", "published"] }).notNull().default("draft"),
    controls: text("controls", { mode: "json" }).$type<Control[]>().notNull(),
    publishedAt: integer("published_at", { mode: "timestamp_ms" }),
    publishedById: text("published_by_id").references(() => users.id),
    createdById: text("created_by_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("attestation_templates_version_uq").on(t.version), index("attestation_templates_status_idx").on(t.status, t.version)],
);

export const ATTESTATION_STATUSES = ["requested", "in_progress", "submitted", "clarification", "accepted", "rejected"] as const;

/** One organisation's attestation for one period, against one published template version. */
export const attestations = sqliteTable(
  "attestations",
  {
    id: id(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    templateId: text("template_id")
      .notNull()
      .references(() => attestationTemplates.id),
    periodStart: text("period_start").notNull(),
    periodEnd: text("period_end").notNull(),
    dueDate: text("due_date").notNull(),
    status: text("status", { enum: ATTESTATION_STATUSES }).notNull().default("requested"),
    via: text("via", { enum: ["manual", "cadence"] }).notNull().default("manual"),
    requestedById: text("requested_by_id").references(() => users.id),
    submittedById: text("submitted_by_id").references(() => users.id),
    submittedAt: integer("submitted_at", { mode: "timestamp_ms" }),
    statementName: text("statement_name"),
    statementTitle: text("statement_title"),
    statementText: text("statement_text"),
    reviewerId: text("reviewer_id").references(() => users.id),
    reviewedAt: integer("reviewed_at", { mode: "timestamp_ms" }),
    decisionNotes: text("decision_notes"),
    answersSha256: text("answers_sha256"),
    score: integer("score"), // per cent, at submission
    receipt: text("receipt"), // the JWS, once accepted
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().$defaultFn(() => new Date()),
  },
  (t) => [index("attestations_org_idx").on(t.orgId, t.periodEnd), index("attestations_status_due_idx").on(t.status, t.dueDate)],
);

/** The current answer to one control (drafts save here; the submitted state is frozen by the hash in the receipt). */
export const attestationAnswers = sqliteTable(
  "attestation_answers",
  {
    attestationId: text("attestation_id")
      .notNull()
      .references(() => attestations.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    controlId: text("control_id").notNull(),
    value: text("value"),
    comment: text("comment"),
    updatedById: text("updated_by_id").references(() => users.id),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.attestationId, t.controlId] }), index("attestation_answers_org_idx").on(t.orgId)],
);

/** An evidence file: bytes stored once under KEYWARD_DATA/evidence/<sha256>; this row says what it proves. */
export const attestationEvidence = sqliteTable(
  "attestation_evidence",
  {
    id: id(),
    attestationId: text("attestation_id")
      .notNull()
      .references(() => attestations.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    controlId: text("control_id"),
    sha256: text("sha256").notNull(),
    fileName: text("file_name").notNull(),
    mediaType: text("media_type").notNull(),
    sizeBytes: integer("size_bytes").notNull(),
    effectiveDate: text("effective_date").notNull(),
    expiresOn: text("expires_on"),
    uploadedById: text("uploaded_by_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("attestation_evidence_att_idx").on(t.attestationId, t.controlId), index("attestation_evidence_org_idx").on(t.orgId)],
);

/** The clarification thread: a reviewer's question on a control, the partner's replies. Never edited. */
export const attestationMessages = sqliteTable(
  "attestation_messages",
  {
    id: id(),
    attestationId: text("attestation_id")
      .notNull()
      .references(() => attestations.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    controlId: text("control_id"),
    kind: text("kind", { enum: ["question", "reply", "decision"] }).notNull(),
    body: text("body").notNull(),
    authorId: text("author_id").references(() => users.id),
    resolvedAt: integer("resolved_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [index("attestation_messages_att_idx").on(t.attestationId, t.createdAt)],
);

/** Credential roster confirmation: each of the organisation's credentials, confirmed one by one. */
export const attestationRoster = sqliteTable(
  "attestation_roster",
  {
    attestationId: text("attestation_id")
      .notNull()
      .references(() => attestations.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    credentialId: text("credential_id").notNull(), // a snapshot: no foreign key, the credential may be deleted later
    keyId: text("key_id").notNull(),
    stillNeeded: integer("still_needed", { mode: "boolean" }),
    holder: text("holder"),
    storage: text("storage"),
    confirmedById: text("confirmed_by_id").references(() => users.id),
    confirmedAt: integer("confirmed_at", { mode: "timestamp_ms" }),
  },
  (t) => [primaryKey({ columns: [t.attestationId, t.credentialId] })],
);

/** A control answered no or partial: tracked with an owner and a due date until closed. */
export const attestationGaps = sqliteTable(
  "attestation_gaps",
  {
    id: id(),
    attestationId: text("attestation_id")
      .notNull()
      .references(() => attestations.id, { onDelete: "cascade" }),
    orgId: text("org_id").notNull(),
    controlId: text("control_id").notNull(),
    controlText: text("control_text").notNull(),
    answer: text("answer").notNull(),
    owner: text("owner").notNull(),
    dueDate: text("due_date").notNull(),
    status: text("status", { enum: ["open", "in_progress", "closed"] }).notNull().default("open"),
    closedAt: integer("closed_at", { mode: "timestamp_ms" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("attestation_gaps_att_control_uq").on(t.attestationId, t.controlId), index("attestation_gaps_org_status_idx").on(t.orgId, t.status)],
);

/** Per-tier gating: whether a tier without a current accepted attestation may register restricted-model credentials. */
export const attestationTierPolicies = sqliteTable("attestation_tier_policies", {
  tier: text("tier", { enum: ["restricted", "standard"] }).primaryKey(),
  enforce: integer("enforce", { mode: "boolean" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(sql`0`),
});
