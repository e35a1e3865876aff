import { beforeEach, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import type { ActionContext } from "~/domain/actor";
import { EndpointSchema, ModelSchema } from "~/domain/catalog";
import { DEFAULT_POLICIES, PolicySchema } from "~/domain/policy";
import { verifyAuditChain } from "~/models/audit.server";
import { deleteEndpoint, getModel, listEndpoints, listModels, upsertEndpoint, upsertModel } from "~/models/catalog.server";
import { getPolicy, listPolicies, updatePolicy } from "~/models/policy.server";
import { actorFor, createUser } from "../support/factories";

const raw = () => getDb().$client;
type AuditRowRaw = { action: string; target_type: string; target_id: string; details: string; actor_email: string | null; ip: string | null };
const auditRows = (action: string) => raw().prepare("SELECT * FROM audit_log WHERE action = ? ORDER BY id").all(action) as AuditRowRaw[];
const auditCount = () => (raw().prepare("SELECT count(*) AS n FROM audit_log").get() as { n: number }).n;

let ctx: ActionContext;
beforeEach(async () => {
  raw().prepare("DELETE FROM catalog_endpoints").run();
  raw().prepare("DELETE FROM catalog_models").run();
  raw().prepare("DELETE FROM policies").run();
  const vm = await createUser({ role: "vendor_manager" });
  ctx = { actor: actorFor(vm.id), ip: "203.0.113.9" };
});

const model = (input: Record<string, unknown>) => ModelSchema.parse(input);
const endpoint = (input: Record<string, unknown>) => EndpointSchema.parse(input);

describe("catalog models", () => {
  it("creates a model, audited, and drops an alias that repeats its own name", () => {
    const res = upsertModel(ctx, model({ name: "mythos-preview", status: "restricted", aliases: "mythos, mythos-preview, capybara", description: "Preview" }));
    expect(res).toEqual({ ok: true, value: { created: true } });
    expect(getModel("mythos-preview")).toMatchObject({ status: "restricted", aliases: ["mythos", "capybara"], description: "Preview" });
    const [row] = auditRows("catalog.model_created");
    expect(row).toMatchObject({ target_type: "model", target_id: "mythos-preview", actor_email: ctx.actor!.email, ip: "203.0.113.9" });
    expect(JSON.parse(row.details)).toMatchObject({ status: "restricted", aliases: ["mythos", "capybara"] });
  });

  it("refuses a name or alias already used by another model, writing nothing", () => {
    upsertModel(ctx, model({ name: "opus-4", status: "ga", aliases: "opus" }));
    const before = auditCount();
    expect(upsertModel(ctx, model({ name: "other", status: "ga", aliases: "x, opus" }))).toEqual({ ok: false, field: "aliases", message: "“opus” is already used by opus-4." });
    expect(upsertModel(ctx, model({ name: "opus", status: "ga" }))).toMatchObject({ ok: false, field: "name" });
    expect(upsertModel(ctx, model({ name: "sonnet", status: "ga", aliases: "opus-4" }))).toMatchObject({ ok: false, field: "aliases" });
    expect(listModels().map((m) => m.name)).toEqual(["opus-4"]);
    expect(auditCount()).toBe(before);
  });

  it("updates a model with an audit entry carrying the changes; a no-op update writes nothing", () => {
    upsertModel(ctx, model({ name: "haiku-5", status: "unreleased", aliases: "kestrel", description: "Next" }));
    expect(upsertModel(ctx, model({ name: "haiku-5", status: "ga", aliases: "kestrel, haiku", description: "Next" }), { mode: "update" })).toEqual({ ok: true, value: { created: false } });
    expect(getModel("haiku-5")).toMatchObject({ status: "ga", aliases: ["kestrel", "haiku"] });
    const [row] = auditRows("catalog.model_updated");
    expect(JSON.parse(row.details)).toEqual({
      changes: { status: { from: "unreleased", to: "ga" }, aliases: { from: ["kestrel"], to: ["kestrel", "haiku"] } },
    });
    const count = auditCount();
    upsertModel(ctx, model({ name: "haiku-5", status: "ga", aliases: "kestrel haiku", description: "Next" }));
    expect(auditCount()).toBe(count);
    expect(verifyAuditChain()).toMatchObject({ ok: true });
  });

  it("keeps the description when an update does not mention it, clears it when blank", () => {
    upsertModel(ctx, model({ name: "m1", status: "ga", description: "Kept" }));
    upsertModel(ctx, model({ name: "m1", status: "retired" }));
    expect(getModel("m1")).toMatchObject({ status: "retired", description: "Kept" });
    upsertModel(ctx, model({ name: "m1", status: "retired", description: "  " }));
    expect(getModel("m1")?.description).toBeNull();
  });

  it("create mode refuses an existing name and update mode a missing one", () => {
    upsertModel(ctx, model({ name: "m2", status: "ga" }));
    expect(upsertModel(ctx, model({ name: "m2", status: "retired" }), { mode: "create" })).toMatchObject({ ok: false, field: "name" });
    expect(upsertModel(ctx, model({ name: "nope", status: "ga" }), { mode: "update" })).toMatchObject({ ok: false, field: "name" });
    expect(getModel("m2")?.status).toBe("ga");
    expect(getModel("nope")).toBeNull();
  });
});

describe("catalog endpoints", () => {
  it("creates, updates (audited with changes) and deletes an endpoint", () => {
    expect(upsertEndpoint(ctx, endpoint({ name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" }))).toEqual({ ok: true, value: { created: true } });
    expect(listEndpoints()[0]).toMatchObject({ name: "messages", methods: ["POST"], namesModel: true });
    upsertEndpoint(ctx, endpoint({ name: "messages", methods: ["POST", "GET"], pathTemplate: "/v1/messages" }));
    expect(listEndpoints()[0]).toMatchObject({ methods: ["GET", "POST"], pathTemplate: "/v1/messages", namesModel: false });
    expect(JSON.parse(auditRows("catalog.endpoint_updated")[0].details).changes).toMatchObject({ pathTemplate: { from: "/v1/models/{model}/messages", to: "/v1/messages" } });
    expect(deleteEndpoint(ctx, "messages")).toBe(true);
    expect(deleteEndpoint(ctx, "messages")).toBe(false);
    expect(listEndpoints()).toHaveLength(0);
    expect(JSON.parse(auditRows("catalog.endpoint_deleted")[0].details)).toEqual({ methods: ["GET", "POST"], pathTemplate: "/v1/messages" });
  });

  it("refuses a second endpoint answering the same path and method", () => {
    upsertEndpoint(ctx, endpoint({ name: "a", methods: ["GET", "POST"], pathTemplate: "/v1/models" }));
    expect(upsertEndpoint(ctx, endpoint({ name: "b", methods: ["POST"], pathTemplate: "/v1/models" }))).toMatchObject({ ok: false, field: "pathTemplate" });
    expect(upsertEndpoint(ctx, endpoint({ name: "c", methods: ["DELETE"], pathTemplate: "/v1/models" }))).toMatchObject({ ok: true });
  });
});

describe("policies", () => {
  it("falls back to the defaults, and an update is audited with from/to changes", () => {
    expect(listPolicies()).toEqual([DEFAULT_POLICIES.restricted, DEFAULT_POLICIES.standard]);
    const input = PolicySchema.parse({ ...DEFAULT_POLICIES.restricted, maxCredentialAgeDays: "14", rotationGraceHours: "4" });
    expect(updatePolicy(ctx, input)).toMatchObject({ changed: true });
    expect(getPolicy("restricted")).toMatchObject({ maxCredentialAgeDays: 14, rotationGraceHours: 4, attestationCadenceDays: 90 });
    expect(getPolicy("standard")).toEqual(DEFAULT_POLICIES.standard);
    const rows = auditRows("policy.updated");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target_type: "policy", target_id: "restricted", actor_email: ctx.actor!.email });
    expect(JSON.parse(rows[0].details)).toEqual({ changes: { maxCredentialAgeDays: { from: 30, to: 14 }, rotationGraceHours: { from: 24, to: 4 } } });
    expect(raw().prepare("SELECT updated_by_id FROM policies WHERE tier = 'restricted'").get()).toEqual({ updated_by_id: ctx.actor!.id });
  });

  it("saving the same values writes no row and no audit entry", () => {
    const count = auditCount();
    expect(updatePolicy(ctx, { ...DEFAULT_POLICIES.standard })).toEqual({ changed: false, changes: {} });
    expect(raw().prepare("SELECT count(*) AS n FROM policies").get()).toEqual({ n: 0 });
    updatePolicy(ctx, { ...DEFAULT_POLICIES.standard, reviewCadenceDays: 180 });
    const after = auditCount();
    expect(after).toBe(count + 1);
    updatePolicy(ctx, { ...DEFAULT_POLICIES.standard, reviewCadenceDays: 180 });
    expect(auditCount()).toBe(after);
  });
});
