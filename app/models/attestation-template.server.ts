import { and, desc, eq, max } from "drizzle-orm";
import { getDb } from "../../db/client";
import { attestationTemplates } from "../../db/schema-attestations";
import type { ActionContext } from "~/domain/actor";
import { DEFAULT_CONTROLS, DEFAULT_TEMPLATE_NAME, editControls, type Control, type TemplateEdit } from "~/domain/attestation-template";
import { writeAudit } from "./audit.server";

// Questionnaire versions. Templates are global (not tenant data): internal users read and edit them;
// partners see only the version their attestation uses, through the attestation.

export type TemplateRow = typeof attestationTemplates.$inferSelect;

export function listTemplates() {
  return getDb()
    .select({ id: attestationTemplates.id, name: attestationTemplates.name, version: attestationTemplates.version, status: attestationTemplates.status, controls: attestationTemplates.controls, publishedAt: attestationTemplates.publishedAt, createdAt: attestationTemplates.createdAt })
    .from(attestationTemplates)
    .orderBy(desc(attestationTemplates.version))
    .all();
}

export function getTemplate(id: string): TemplateRow | null {
  return getDb().select().from(attestationTemplates).where(eq(attestationTemplates.id, id)).get() ?? null;
}

export function getTemplateByVersion(version: number): TemplateRow | null {
  return getDb().select().from(attestationTemplates).where(eq(attestationTemplates.version, version)).get() ?? null;
}

/** The newest published version: what new requests use. Creates and publishes the default when there is none. */
export function currentTemplate(ctx?: ActionContext): TemplateRow {
  const db = getDb();
  const row = db.select().from(attestationTemplates).where(eq(attestationTemplates.status, "published")).orderBy(desc(attestationTemplates.version)).limit(1).get();
  if (row) return row;
  return ensureDefaultTemplate(ctx ?? { actor: null, ip: null });
}

/** Publishes the default template as version 1 when no template exists (first start, demo, tests). */
export function ensureDefaultTemplate(ctx: ActionContext): TemplateRow {
  const db = getDb();
  return db.transaction((tx) => {
    const existing = tx.select().from(attestationTemplates).where(eq(attestationTemplates.status, "published")).orderBy(desc(attestationTemplates.version)).limit(1).get();
    if (existing) return existing;
    const version = (tx.select({ v: max(attestationTemplates.version) }).from(attestationTemplates).get()?.v ?? 0) + 1;
    const now = ctx.now ?? new Date();
    const row = tx
      .insert(attestationTemplates)
      .values({ name: DEFAULT_TEMPLATE_NAME, version, status: "published", controls: [...DEFAULT_CONTROLS], publishedAt: now, createdAt: now, createdById: ctx.actor?.id ?? null, publishedById: ctx.actor?.id ?? null })
      .returning()
      .get();
    writeAudit(tx, ctx, { action: "attestation_template.published", targetType: "attestation_template", targetId: row.id, details: { version, controls: row.controls.length, default: true } });
    return row;
  });
}

/** The open draft, if any (there is at most one). */
export function getDraft(): TemplateRow | null {
  return getDb().select().from(attestationTemplates).where(eq(attestationTemplates.status, "draft")).get() ?? null;
}

/** Starts a draft as a copy of the newest published version (or returns the open draft). */
export function createDraft(ctx: ActionContext): TemplateRow {
  const db = getDb();
  const base = currentTemplate(ctx);
  return db.transaction((tx) => {
    const open = tx.select().from(attestationTemplates).where(eq(attestationTemplates.status, "draft")).get();
    if (open) return open;
    const version = (tx.select({ v: max(attestationTemplates.version) }).from(attestationTemplates).get()?.v ?? 0) + 1;
    const row = tx
      .insert(attestationTemplates)
      .values({ name: base.name, version, status: "draft", controls: base.controls, createdById: ctx.actor?.id ?? null, createdAt: ctx.now ?? new Date() })
      .returning()
      .get();
    writeAudit(tx, ctx, { action: "attestation_template.draft_created", targetType: "attestation_template", targetId: row.id, details: { version, from: base.version } });
    return row;
  });
}

export type TemplateEditResult = { ok: true; template: TemplateRow } | { ok: false; field: string; message: string };

/** One edit on a draft. A published version answers "not a draft": it never changes. */
export function editDraft(ctx: ActionContext, templateId: string, edit: TemplateEdit, name?: string): TemplateEditResult {
  const db = getDb();
  return db.transaction((tx) => {
    const t = tx.select().from(attestationTemplates).where(eq(attestationTemplates.id, templateId)).get();
    if (!t) return { ok: false, field: "form", message: "No such template" };
    if (t.status !== "draft") return { ok: false, field: "form", message: `Version ${t.version} is published and cannot change: start a new draft.` };
    const result = editControls(t.controls, edit);
    if (!result.ok) return result;
    const updated = tx
      .update(attestationTemplates)
      .set({ controls: result.controls, ...(name ? { name } : {}) })
      .where(and(eq(attestationTemplates.id, templateId), eq(attestationTemplates.status, "draft")))
      .returning()
      .get();
    const controlId = "control" in edit ? edit.control.id : edit.id;
    writeAudit(tx, ctx, { action: `attestation_template.control_${edit.op === "add" ? "added" : edit.op === "update" ? "updated" : edit.op === "remove" ? "removed" : "moved"}`, targetType: "attestation_template", targetId: t.id, details: { version: t.version, controlId } });
    return { ok: true, template: updated };
  });
}

export function renameDraft(ctx: ActionContext, templateId: string, name: string): TemplateEditResult {
  const db = getDb();
  return db.transaction((tx) => {
    const t = tx.select().from(attestationTemplates).where(eq(attestationTemplates.id, templateId)).get();
    if (!t) return { ok: false, field: "form", message: "No such template" };
    if (t.status !== "draft") return { ok: false, field: "name", message: `Version ${t.version} is published and cannot change.` };
    const updated = tx.update(attestationTemplates).set({ name }).where(eq(attestationTemplates.id, templateId)).returning().get();
    writeAudit(tx, ctx, { action: "attestation_template.renamed", targetType: "attestation_template", targetId: t.id, details: { version: t.version, from: t.name, to: name } });
    return { ok: true, template: updated };
  });
}

/** Publishes the draft: from now on new requests use it; attestations already requested keep theirs. */
export function publishDraft(ctx: ActionContext, templateId: string): TemplateEditResult {
  const db = getDb();
  return db.transaction((tx) => {
    const t = tx.select().from(attestationTemplates).where(eq(attestationTemplates.id, templateId)).get();
    if (!t) return { ok: false, field: "form", message: "No such template" };
    if (t.status !== "draft") return { ok: false, field: "form", message: `Version ${t.version} is already published.` };
    const now = ctx.now ?? new Date();
    const updated = tx.update(attestationTemplates).set({ status: "published", publishedAt: now, publishedById: ctx.actor?.id ?? null }).where(eq(attestationTemplates.id, templateId)).returning().get();
    writeAudit(tx, ctx, { action: "attestation_template.published", targetType: "attestation_template", targetId: t.id, details: { version: t.version, controls: t.controls.length } });
    return { ok: true, template: updated };
  });
}

export function discardDraft(ctx: ActionContext, templateId: string): boolean {
  const db = getDb();
  return db.transaction((tx) => {
    const gone = tx.delete(attestationTemplates).where(and(eq(attestationTemplates.id, templateId), eq(attestationTemplates.status, "draft"))).returning().get();
    if (!gone) return false;
    writeAudit(tx, ctx, { action: "attestation_template.draft_discarded", targetType: "attestation_template", targetId: templateId, details: { version: gone.version } });
    return true;
  });
}

export type { Control };
