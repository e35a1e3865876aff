import { asc, eq } from "drizzle-orm";
import { getDb } from "../../db/client";
import { catalogEndpoints, catalogModels } from "../../db/schema";
import type { ActionContext } from "~/domain/actor";
import { namesModel, type EndpointInput, type ModelInput } from "~/domain/catalog";
import { writeAudit } from "./audit.server";
import type { FieldResult } from "./organization.server";

export function listModels() {
  const db = getDb();
  return db.select().from(catalogModels).orderBy(asc(catalogModels.name)).all();
}

export function listEndpoints() {
  const db = getDb();
  return db.select().from(catalogEndpoints).orderBy(asc(catalogEndpoints.name)).all();
}

/** Creates or updates a model by name; a name or alias already used by another model is refused. */
export function upsertModel(ctx: ActionContext, input: ModelInput): FieldResult<{ created: boolean }> {
  const db = getDb();
  const all = listModels();
  const existing = all.find((m) => m.name === input.name);
  for (const other of all) {
    if (other.name === input.name) continue;
    const taken = [other.name, ...other.aliases];
    const clash = [input.name, ...input.aliases].find((n) => taken.includes(n));
    if (clash) return { ok: false, field: input.name === clash ? "name" : "aliases", message: `“${clash}” is already used by ${other.name}.` };
  }
  db.transaction((tx) => {
    if (existing) {
      tx.update(catalogModels).set({ status: input.status, aliases: input.aliases, description: input.description ?? existing.description, updatedAt: new Date() }).where(eq(catalogModels.id, existing.id)).run();
    } else {
      tx.insert(catalogModels).values({ name: input.name, status: input.status, aliases: input.aliases, description: input.description ?? null }).run();
    }
    writeAudit(tx, ctx, {
      action: existing ? "catalog.model_updated" : "catalog.model_created",
      targetType: "model",
      targetId: input.name,
      details: { status: input.status, aliases: input.aliases, ...(existing ? { previousStatus: existing.status } : {}) },
    });
  });
  return { ok: true, value: { created: !existing } };
}

export function upsertEndpoint(ctx: ActionContext, input: EndpointInput): FieldResult<{ created: boolean }> {
  const db = getDb();
  const existing = db.select().from(catalogEndpoints).where(eq(catalogEndpoints.name, input.name)).get();
  const clash = db.select().from(catalogEndpoints).where(eq(catalogEndpoints.pathTemplate, input.pathTemplate)).all().find((e) => e.name !== input.name && e.methods.some((m) => input.methods.includes(m as never)));
  if (clash) return { ok: false, field: "pathTemplate", message: `${clash.name} already answers this path for one of these methods.` };
  const values = { methods: input.methods, pathTemplate: input.pathTemplate, namesModel: namesModel(input.pathTemplate) };
  db.transaction((tx) => {
    if (existing) tx.update(catalogEndpoints).set({ ...values, updatedAt: new Date() }).where(eq(catalogEndpoints.id, existing.id)).run();
    else tx.insert(catalogEndpoints).values({ name: input.name, ...values }).run();
    writeAudit(tx, ctx, { action: existing ? "catalog.endpoint_updated" : "catalog.endpoint_created", targetType: "endpoint", targetId: input.name, details: values });
  });
  return { ok: true, value: { created: !existing } };
}

export function deleteEndpoint(ctx: ActionContext, name: string): boolean {
  const db = getDb();
  return db.transaction((tx) => {
    const res = tx.delete(catalogEndpoints).where(eq(catalogEndpoints.name, name)).run();
    if (res.changes === 0) return false;
    writeAudit(tx, ctx, { action: "catalog.endpoint_deleted", targetType: "endpoint", targetId: name });
    return true;
  });
}
