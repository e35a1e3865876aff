import { describe, expect, it } from "vitest";
import type { CatalogModel, DetectionEvent, RuleContext } from "~/domain/detection/types";
import { createUnreleasedModel, rule } from "~/domain/detection/unreleased-model";

const T0 = Date.UTC(2026, 3, 7, 12);
const H = 3_600_000;
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: ["atlas"] },
  { name: "mythos-preview", status: "unreleased", aliases: ["capybara", "mx"] },
  { name: "orion-x", status: "restricted", aliases: [] },
  { name: "old-1", status: "retired", aliases: [] },
];
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "python-requests/2.31", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { catalog, credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("unreleased_model", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("unreleased_model");
    expect(rule.defaults.windowMs).toBe(H);
    expect(rule.create().id).toBe("unreleased_model");
  });

  it("fires critical on one request naming an unreleased model", () => {
    const f = rule.create().observe(ev({ model: "mythos-preview", path: "/v1/models/mythos-preview/messages", status: 404 }), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "unreleased_model", severity: "critical", credentialId: "cred-a", srcIp: "203.0.113.9", keyRef: "kw_a", ts: T0, windowMs: H });
    expect(f[0].summary).toContain("unreleased model mythos-preview");
    expect(f[0].summary).toContain("threshold: 1 request");
    expect(f[0].sample).toEqual([{ ts: T0, method: "POST", path: "/v1/models/mythos-preview/messages", status: 404, srcIp: "203.0.113.9", userAgent: "python-requests/2.31" }]);
  });

  it("fires on a codename as the model, in any case", () => {
    expect(rule.create().observe(ev({ model: "Capybara" }), ctx())[0].severity).toBe("critical");
  });

  it("fires when the model or the path contains a codename", () => {
    const r = rule.create();
    expect(r.observe(ev({ model: "capybara-v2", path: "/v1/models/capybara-v2/messages", credentialId: "c1" }), ctx())[0].summary).toContain('"capybara"');
    expect(r.observe(ev({ model: null, endpoint: null, path: "/internal/capybara/chat", credentialId: "c2" }), ctx())).toHaveLength(1);
    expect(r.observe(ev({ model: null, endpoint: null, path: "/v1/chat?model=Mythos-Preview", credentialId: "c3" }), ctx())).toHaveLength(1);
    expect(r.observe(ev({ model: null, endpoint: null, path: "/v1/models/%63apybara/x", credentialId: "c4" }), ctx())).toHaveLength(1);
  });

  it("never fires on GA, restricted or retired models, or a path without a codename", () => {
    const r = rule.create();
    for (const model of ["atlas-2", "orion-x", "old-1", "mythical-1", null]) {
      expect(r.observe(ev({ model, path: `/v1/models/${model ?? "x"}/messages` }), ctx())).toEqual([]);
    }
  });

  it("matches a short codename (under 4 characters) only exactly, never inside a word", () => {
    const r = rule.create();
    expect(r.observe(ev({ model: "mx" }), ctx())).toHaveLength(1);
    expect(r.observe(ev({ model: "mxnet", path: "/v1/models/mxnet/messages", credentialId: "c9" }), ctx())).toEqual([]);
  });

  it("does nothing when the catalog has no unreleased model", () => {
    expect(rule.create().observe(ev({ model: "mythos-preview" }), ctx({ catalog: catalog.filter((m) => m.status !== "unreleased") }))).toEqual([]);
  });

  it("fires once per subject and model per window, again after the window", () => {
    const r = rule.create();
    const e = ev({ model: "mythos-preview" });
    expect(r.observe(e, ctx())).toHaveLength(1);
    expect(r.observe({ ...e, ts: T0 + 1000 }, ctx())).toEqual([]);
    expect(r.observe({ ...e, ts: T0 + H - 1 }, ctx())).toEqual([]);
    expect(r.observe({ ...e, ts: T0 + H }, ctx())).toHaveLength(1);
    // another credential, or another unreleased model, is another finding
    expect(r.observe({ ...e, ts: T0 + H + 1, credentialId: "cred-b", keyRef: "kw_b" }, ctx())).toHaveLength(1);
  });

  it("uses the window from settings", () => {
    const r = rule.create();
    const e = ev({ model: "mythos-preview" });
    const c = ctx({ settings: { windowMs: 60_000 } });
    expect(r.observe(e, c)).toHaveLength(1);
    expect(r.observe({ ...e, ts: T0 + 60_000 }, c)).toHaveLength(1);
  });

  it("keeps memory bounded with many distinct source IPs", () => {
    const r = createUnreleasedModel({ maxSubjects: 1000 });
    let findings = 0;
    for (let i = 0; i < 200_000; i++) {
      findings += r.observe(ev({ ts: T0 + i, credentialId: null, keyRef: null, srcIp: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, model: "mythos-preview" }), ctx()).length;
    }
    expect(findings).toBe(200_000);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(1000);
  });
});
