import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../db/client";
import { credentials } from "../../db/schema";
import { listAudit } from "../../app/models/audit.server";
import { upsertEndpoint, upsertModel } from "../../app/models/catalog.server";
import { getEntitlements, updateEntitlements } from "../../app/models/entitlement.server";
import { actorFor, tenancyWorld } from "../support/factories";

const system = { actor: null, ip: null };

beforeAll(() => {
  for (const [name, status] of [
    ["atlas-2", "ga"],
    ["atlas-2-mini", "ga"],
    ["mythos-preview", "restricted"],
    ["orion-x", "unreleased"],
  ] as const)
    upsertModel(system, { name, status, aliases: [] });
  upsertEndpoint(system, { name: "messages", methods: ["POST"], pathTemplate: "/v1/models/{model}/messages" });
  upsertEndpoint(system, { name: "batches", methods: ["POST"], pathTemplate: "/v1/batches" });
});

async function world() {
  const w = await tenancyWorld();
  const vm = actorFor(w.vm.id);
  const ctx = { actor: vm, ip: "192.0.2.20" };
  return { ...w, ctx };
}

function insertCredential(orgId: string, keyId: string, grantModels: string[], grantEndpoints: string[], status: "active" | "suspended" | "revoked" | "expired" = "active") {
  getDb()
    .insert(credentials)
    .values({ keyId, orgId, label: "test", holderService: "svc", grantModels, grantEndpoints, environment: "production", storage: "secrets_manager", status, issuedAt: new Date() })
    .run();
}

describe("entitlements", () => {
  it("are replaced by a vendor manager, sorted, and a no-op writes no audit row", async () => {
    const w = await world();
    const r = updateEntitlements(w.ctx, w.partner, { models: ["mythos-preview", "@ga"], endpoints: ["*"] });
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(getEntitlements(w.partner.id)).toEqual({ models: ["@ga", "mythos-preview"], endpoints: ["*"] });
    const again = updateEntitlements(w.ctx, w.partner, { models: ["@ga", "mythos-preview"], endpoints: ["*"] });
    expect(again).toEqual({ ok: true, value: { changed: false } });
    const rows = listAudit(w.ctx.actor, { action: "org.entitlements_changed" }).rows.filter((a) => a.targetId === w.partner.id);
    expect(rows).toHaveLength(1);
  });

  it("audits the change with before and after", async () => {
    const w = await world();
    updateEntitlements(w.ctx, w.partner, { models: ["atlas-2"], endpoints: ["messages"] });
    updateEntitlements(w.ctx, w.partner, { models: ["atlas-2", "mythos-preview"], endpoints: ["*"] });
    const rows = listAudit(w.ctx.actor, { action: "org.entitlements_changed" }).rows.filter((a) => a.targetId === w.partner.id);
    expect(rows).toHaveLength(2);
    const latest = JSON.parse(rows[0].details);
    expect(latest.before).toEqual({ models: ["atlas-2"], endpoints: ["messages"] });
    expect(latest.after).toEqual({ models: ["atlas-2", "mythos-preview"], endpoints: ["*"] });
    expect(latest.slug).toBe(w.partner.slug);
    expect(rows[0].actorEmail).toBe(w.vm.email);
  });

  it("refuses names that are not in the catalog", async () => {
    const w = await world();
    const r = updateEntitlements(w.ctx, w.partner, { models: ["atlas-9"], endpoints: [] });
    expect(r).toMatchObject({ ok: false, field: "models" });
    const e = updateEntitlements(w.ctx, w.partner, { models: [], endpoints: ["teleport"] });
    expect(e).toMatchObject({ ok: false, field: "endpoints" });
    expect(getEntitlements(w.partner.id)).toEqual({ models: [], endpoints: [] });
  });

  it("keeps a contractor within its sponsor's, naming what is outside", async () => {
    const w = await world();
    updateEntitlements(w.ctx, w.partner, { models: ["@ga"], endpoints: ["messages"] });
    // a GA model is covered by the sponsor's @ga
    expect(updateEntitlements(w.ctx, w.contractor, { models: ["atlas-2"], endpoints: ["messages"] }).ok).toBe(true);
    const r = updateEntitlements(w.ctx, w.contractor, { models: ["atlas-2", "mythos-preview"], endpoints: ["messages"] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe("models");
    expect(r.message).toContain("mythos-preview");
    expect(r.message).not.toContain("atlas-2,");
    const ep = updateEntitlements(w.ctx, w.contractor, { models: ["atlas-2"], endpoints: ["*"] });
    expect(ep).toMatchObject({ ok: false, field: "endpoints" });
    if (!ep.ok) expect(ep.message).toContain("every endpoint");
    expect(getEntitlements(w.contractor.id)).toEqual({ models: ["atlas-2"], endpoints: ["messages"] });
  });

  it("refuses to narrow a partner below a contractor's entitlements, naming the contractor", async () => {
    const w = await world();
    updateEntitlements(w.ctx, w.partner, { models: ["@ga", "mythos-preview"], endpoints: ["*"] });
    updateEntitlements(w.ctx, w.contractor, { models: ["atlas-2", "mythos-preview"], endpoints: ["batches"] });
    const r = updateEntitlements(w.ctx, w.partner, { models: ["@ga"], endpoints: ["*"] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toContain(w.contractor.name);
      expect(r.message).toContain("mythos-preview");
    }
    // endpoints too
    const e = updateEntitlements(w.ctx, w.partner, { models: ["@ga", "mythos-preview"], endpoints: ["messages"] });
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.message).toContain("endpoint batches");
    expect(getEntitlements(w.partner.id)).toEqual({ models: ["@ga", "mythos-preview"], endpoints: ["*"] });
  });

  it("refuses to narrow below a live credential's grant (suspended counts, revoked does not)", async () => {
    const w = await world();
    updateEntitlements(w.ctx, w.other, { models: ["@ga", "mythos-preview"], endpoints: ["*"] });
    const suffix = Math.random().toString(36).slice(2, 8);
    insertCredential(w.other.id, `kw_live_susp_${suffix}`, ["mythos-preview"], ["*"], "suspended");
    insertCredential(w.other.id, `kw_live_gone_${suffix}`, ["orion-x"], ["*"], "revoked");
    const r = updateEntitlements(w.ctx, w.other, { models: ["@ga"], endpoints: ["*"] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe("_form");
      expect(r.message).toContain(`kw_live_susp_${suffix}`);
      expect(r.message).not.toContain(`kw_live_gone_${suffix}`);
    }
    // once that credential is revoked too, the narrowing goes through
    getDb().update(credentials).set({ status: "revoked" }).where(eq(credentials.keyId, `kw_live_susp_${suffix}`)).run();
    expect(updateEntitlements(w.ctx, w.other, { models: ["@ga"], endpoints: ["*"] }).ok).toBe(true);
  });

  it("treats a credential holding @ga as outside an entitlement listing GA models one by one", async () => {
    const w = await world();
    updateEntitlements(w.ctx, w.other, { models: ["@ga"], endpoints: ["*"] });
    insertCredential(w.other.id, `kw_live_ga_${Math.random().toString(36).slice(2, 8)}`, ["@ga"], ["*"]);
    const r = updateEntitlements(w.ctx, w.other, { models: ["atlas-2", "atlas-2-mini"], endpoints: ["*"] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain("every GA model");
  });
});
