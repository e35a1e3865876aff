import { describe, expect, it } from "vitest";
import { anyOutsideGrant } from "~/domain/detection/out-of-grant";
import { createReconThenUse, rule } from "~/domain/detection/recon-then-use";
import type { CatalogModel, CredentialBaseline, CredentialFacts, DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const MIN = 60_000;
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: [] },
  { name: "atlas-3", status: "ga", aliases: [] },
  { name: "mythos-preview", status: "restricted", aliases: [] },
];
const cred: CredentialFacts = { id: "cred-a", orgId: "org-1", status: "active", issuedAt: T0 - 100 * 86_400_000, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["messages", "models"] };
const baseline: CredentialBaseline = { lastUsedAt: T0 - MIN, firstSeenAt: T0 - 90 * 86_400_000, knownIps: [], knownPrefixes: [], modelsUsed: ["atlas-2"], ratePerMinuteP99: 10 };
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "sdk/1", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(over: { baseline?: CredentialBaseline | null; credential?: CredentialFacts | null; settings?: Record<string, number> } = {}): RuleContext {
  const b = over.baseline === undefined ? baseline : over.baseline;
  const c = over.credential === undefined ? cred : over.credential;
  return { catalog, credential: () => c, baseline: () => b, isRegisteredKey: () => true, settings: { ...rule.defaults, ...over.settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
const recon404 = ev({ path: "/v1/models/atlas-4/messages", model: "atlas-4", status: 404 });
const useNew = (minutes: number, over: Partial<DetectionEvent> = {}) => ev({ ts: T0 + minutes * MIN, path: "/v1/models/atlas-3/messages", model: "atlas-3", ...over });

describe("recon_then_use", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("recon_then_use");
    expect(rule.defaults.windowMs).toBe(900_000);
  });

  it("fires high on an error then a first successful call to a new model within 15 min", () => {
    const f = run([recon404, useNew(10)]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "recon_then_use", severity: "high", credentialId: "cred-a", ts: T0 + 10 * MIN, windowMs: 900_000 });
    expect(f[0].summary).toBe(
      "A request answered 404 (POST /v1/models/atlas-4/messages) was followed 10 min later by the first successful call of this credential to model atlas-3 (threshold: within 15 min)",
    );
    expect(f[0].sample.map((s) => s.status)).toEqual([404, 200]);
  });

  it("window edge: exactly 15 min fires, later does not", () => {
    expect(run([recon404, useNew(15)])).toHaveLength(1);
    expect(run([recon404, { ...useNew(15), ts: T0 + 15 * MIN + 1 }])).toEqual([]);
  });

  it("never fires for a model the credential used before (baseline or earlier in this import)", () => {
    expect(run([recon404, ev({ ts: T0 + MIN })])).toEqual([]); // atlas-2 is in the baseline
    expect(run([useNew(0), recon404, useNew(5)])).toEqual([]); // atlas-3 used earlier in the import
  });

  it("needs the reconnaissance first, and a successful call", () => {
    expect(run([useNew(0), { ...recon404, ts: T0 + MIN }])).toEqual([]);
    expect(run([recon404, useNew(5, { status: 404 }), useNew(6, { status: 500 })])).toEqual([]);
    expect(run([useNew(5)])).toEqual([]);
  });

  it("treats an unknown path and an out-of-grant request as reconnaissance", () => {
    const unknown = ev({ path: "/internal/models", endpoint: null, model: null, status: 200 });
    expect(run([unknown, useNew(3)])[0].summary).toContain("A request to a path the catalog does not know (POST /internal/models)");
    const outOfGrant = ev({ path: "/v1/models/mythos-preview/messages", model: "mythos-preview", status: 200 });
    expect(run([outOfGrant, useNew(3)])[0].summary).toContain("A request outside the credential's grant");
    const batches = ev({ path: "/v1/batches", endpoint: "batches", model: null, status: 200 });
    expect(run([batches, useNew(3)])).toHaveLength(1);
  });

  it("does not treat rate limiting or a timeout as reconnaissance, nor an in-grant success", () => {
    for (const status of [408, 413, 429]) expect(run([ev({ status }), useNew(1)])).toEqual([]);
    expect(run([ev({ path: "/v1/models/atlas-2/messages" }), useNew(1)])).toEqual([]);
  });

  it("without a credential's facts, only errors and unknown paths are reconnaissance", () => {
    const outOfGrant = ev({ path: "/v1/models/mythos-preview/messages", model: "mythos-preview", status: 200 });
    expect(run([outOfGrant, useNew(3)], ctx({ credential: null }))).toEqual([]);
    expect(run([recon404, useNew(3)], ctx({ credential: null }))).toHaveLength(1);
  });

  it("without a baseline, a model is new until called successfully in this import", () => {
    expect(run([recon404, ev({ ts: T0 + MIN })], ctx({ baseline: null }))).toHaveLength(1);
    expect(run([ev(), recon404, ev({ ts: T0 + MIN })], ctx({ baseline: null }))).toEqual([]);
  });

  it("keeps credentials apart and ignores events without one", () => {
    expect(run([recon404, useNew(1, { credentialId: "cred-b" })])).toEqual([]);
    expect(run([{ ...recon404, credentialId: null }, useNew(1, { credentialId: null })])).toEqual([]);
  });

  it("reads its window from settings and keeps memory bounded", () => {
    expect(run([recon404, useNew(20)], ctx({ settings: { windowMs: 30 * MIN } }))).toHaveLength(1);
    const r = createReconThenUse({ maxSubjects: 10 });
    for (let i = 0; i < 1000; i++) r.observe(ev({ credentialId: `c${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(10);
  });

  it("decides grant coverage: @ga reaches GA models, * every endpoint", () => {
    // A successful first request, reconnaissance only when outside the grant, then a first call to atlas-3.
    const firesAfter = (over: Partial<DetectionEvent>, c = cred) => run([ev({ status: 200, ...over }), useNew(3)], ctx({ credential: c })).length > 0;
    expect(firesAfter({ model: "atlas-2" })).toBe(false);
    expect(firesAfter({ model: "mythos-preview" })).toBe(true);
    expect(firesAfter({ model: null, endpoint: "batches" })).toBe(true);
    expect(firesAfter({ model: "mythos-preview", endpoint: "batches" }, { ...cred, grantModels: ["mythos-preview"], grantEndpoints: ["*"] })).toBe(false);
  });

  it("counts a model the catalog does not know as outside the grant (out_of_grant leaves it to unknown_model)", () => {
    const unknown = ev({ path: "/v1/models/atlas-9/messages", model: "atlas-9", status: 200 });
    expect(run([unknown, useNew(3)])[0].summary).toContain("A request outside the credential's grant (POST /v1/models/atlas-9/messages)");
    expect(anyOutsideGrant(unknown, cred, catalog)).toBe(false);
    // Unless the grant names it literally.
    expect(run([unknown, useNew(3)], ctx({ credential: { ...cred, grantModels: ["@ga", "atlas-9"] } }))).toEqual([]);
  });
});
