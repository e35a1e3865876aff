import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { catalogEndpoints, catalogModels } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { namesModel, type EndpointInput, type ModelInput } from "~/domain/catalog";
import { writeAudit } from "./audit.server";
import type { FieldResult } from "./organization.server";

// The catalog is global (not tenant data): every signed-in role may read it, vendor managers change it
// (the route checks update:catalog:any). It stays small (tens of rows), so it is listed whole.

export function listModels() {
  const db = getDb();
  return db.select().from(catalogModels).orderBy(asc(catalogModels.name)).all();
}

export function getModel(name: string) {
  const db = getDb();
  return db.select().from(catalogModels).where(eq(catalogModels.name, name)).get() ?? null;
}

export function listEndpoints() {
  const db = getDb();
  return db.select().from(catalogEndpoints).orderBy(asc(catalogEndpoints.name)).all();
}

export function getEndpoint(name: string) {
  const db = getDb();
  return db.select().from(catalogEndpoints).where(eq(catalogEndpoints.name, name)).get() ?? null;
}

/** "create" refuses an existing name, "update" a missing one; by default either (imports, seeds). */
export type UpsertOptions = { mode?: "create" | "update" };

type Change = { from: unknown; to: unknown };
function changesBetween<T extends Record<string, unknown>>(before: T, after: T): Record<string, Change> {
  const out: Record<string, Change> = {};
  for (const k of Object.keys(after)) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = { from: before[k], to: after[k] };
  return out;
}

/**
 * Creates or updates a model by name. A name or alias already used (as name or alias) by another
 * model is refused; an alias repeating the model's own name is dropped. An update that changes nothing
 * writes nothing; otherwise the audit entry carries the changes (from/to).
 */
export function upsertModel(ctx: ActionContext, input: ModelInput, opts: UpsertOptions = {}): FieldResult<{ created: boolean }> {
  const db = getDb();
  const aliases = input.aliases.filter((a) => a !== input.name);
  return db.transaction((tx) => {
    const all = tx.select().from(catalogModels).all();
    const found = all.some((m) => m.name === input.name);
    if (opts.mode === "create" && found) return { ok: false as const, field: "name", message: `A model named ${input.name} already exists; edit it instead.` };
    if (opts.mode === "update" && !found) return { ok: false as const, field: "name", message: `There is no model named ${input.name}.` };
    for (const other of all) {
      if (other.name === input.name) continue;
      const taken = [other.name, ...other.aliases];
      const clash = [input.name, ...aliases].find((n) => taken.includes(n));
      if (clash) {
        return { ok: false as const, field: clash === input.name ? "name" : "aliases", message: `“${clash}” is already used by ${other.name}.` };
      }
    }
    const existing = all.find((m) => m.name === input.name);
    if (!existing) {
      const description = input.description || null;
      tx.insert(catalogModels).values({ name: input.name, status: input.status, aliases, description }).run();
      writeAudit(tx, ctx, { action: "catalog.model_created", targetType: "model", targetId: input.name, details: { status: input.status, aliases, description } });
      return { ok: true as const, value: { created: true } };
    }
    // undefined description (e.g. an import that does not mention it) keeps the current one; "" clears it.
    const description = input.description === undefined ? existing.description : input.description || null;
    const after = { status: input.status, aliases, description };
    const changes = changesBetween({ status: existing.status, aliases: existing.aliases, description: existing.description }, after);
    if (Object.keys(changes).length > 0) {
      tx.update(catalogModels).set({ ...after, updatedAt: new Date() }).where(eq(catalogModels.id, existing.id)).run();
      writeAudit(tx, ctx, { action: "catalog.model_updated", targetType: "model", targetId: input.name, details: { changes } });
    }
    return { ok: true as const, value: { created: false } };
  });
}

/**
 * Creates or updates an endpoint by name. Another endpoint answering the same path template for one
 * of the same methods is refused. No-op updates write nothing.
 */
export function upsertEndpoint(ctx: ActionContext, input: EndpointInput, opts: UpsertOptions = {}): FieldResult<{ created: boolean }> {
  const db = getDb();
  return db.transaction((tx) => {
    const existing = tx.select().from(catalogEndpoints).where(eq(catalogEndpoints.name, input.name)).get();
    if (opts.mode === "create" && existing) return { ok: false as const, field: "name", message: `An endpoint named ${input.name} already exists; edit it instead.` };
    if (opts.mode === "update" && !existing) return { ok: false as const, field: "name", message: `There is no endpoint named ${input.name}.` };
    const clash = tx
      .select()
      .from(catalogEndpoints)
      .where(eq(catalogEndpoints.pathTemplate, input.pathTemplate))
      .all()
      .find((e) => e.name !== input.name && e.methods.some((m) => (input.methods as readonly string[]).includes(m)));
    if (clash) return { ok: false as const, field: "pathTemplate", message: `${clash.name} already answers this path for one of these methods.` };
    const values = { methods: [...input.methods] as string[], pathTemplate: input.pathTemplate, namesModel: namesModel(input.pathTemplate) };
    if (!existing) {
      tx.insert(catalogEndpoints).values({ name: input.name, ...values }).run();
      writeAudit(tx, ctx, { action: "catalog.endpoint_created", targetType: "endpoint", targetId: input.name, details: values });
      return { ok: true as const, value: { created: true } };
    }
    const changes = changesBetween({ methods: existing.methods, pathTemplate: existing.pathTemplate, namesModel: existing.namesModel }, values);
    if (Object.keys(changes).length > 0) {
      tx.update(catalogEndpoints).set({ ...values, updatedAt: new Date() }).where(eq(catalogEndpoints.id, existing.id)).run();
      writeAudit(tx, ctx, { action: "catalog.endpoint_updated", targetType: "endpoint", targetId: input.name, details: { changes } });
    }
    return { ok: true as const, value: { created: false } };
  });
}

/** Deletes an endpoint by name; false when there was none. The audit entry keeps what was deleted. */
export function deleteEndpoint(ctx: ActionContext, name: string): boolean {
  const db = getDb();
  return db.transaction((tx) => {
    const existing = tx.select().from(catalogEndpoints).where(eq(catalogEndpoints.name, name)).get();
    if (!existing) return false;
    tx.delete(catalogEndpoints).where(eq(catalogEndpoints.id, existing.id)).run();
    writeAudit(tx, ctx, {
      action: "catalog.endpoint_deleted",
      targetType: "endpoint",
      targetId: name,
      details: { methods: existing.methods, pathTemplate: existing.pathTemplate },
    });
    return true;
  });
}
