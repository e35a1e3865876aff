import { describe, expect, it } from "vitest";
import { ALL_RULES } from "~/domain/detection/all-rules";
import { createEngine, mergeSettings, type EngineContext } from "~/domain/detection/engine";
import { RULE_IDS, type CatalogModel, type DetectionEvent, type RuleModule } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: ["atlas"] },
  { name: "mythos-preview", status: "unreleased", aliases: ["capybara"] },
];
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "model-sdk-python/1.4.2", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
const ctx: EngineContext = {
  catalog,
  credential: (id) => (id === "cred-a" ? { id, orgId: "org-a", status: "active", issuedAt: T0 - 86_400_000, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["*"] } : null),
  baseline: () => null,
  isRegisteredKey: (k) => k === "kw_a",
};

describe("detection engine", () => {
  it("registers all 16 rules with distinct ids matching RULE_IDS", () => {
    expect(ALL_RULES).toHaveLength(16);
    expect(new Set(ALL_RULES.map((m) => m.id)).size).toBe(16);
    expect([...ALL_RULES.map((m) => m.id)].sort()).toEqual([...RULE_IDS].sort());
    expect(createEngine().rules).toEqual(ALL_RULES.map((m) => m.id));
  });

  it("stays quiet on an ordinary request", () => {
    expect(createEngine().observe(ev(), ctx)).toEqual({ findings: [], errors: [] });
  });

  it("lets a finding-producing event flow through every rule it concerns", () => {
    const r = createEngine().observe(ev({ model: "mythos-preview", path: "/v1/models/mythos-preview/messages", status: 404, userAgent: "sqlmap/1.7" }), ctx);
    expect(r.errors).toEqual([]);
    const rules = r.findings.map((f) => f.rule);
    expect(rules).toContain("unreleased_model");
    expect(rules).toContain("scanner_user_agent");
    expect(r.findings.find((f) => f.rule === "unreleased_model")).toMatchObject({ severity: "critical", credentialId: "cred-a", srcIp: "203.0.113.9" });
  });

  it("catches a failing rule, counts and reports it, and still runs the others", () => {
    const broken: RuleModule = { id: "rate_burst", description: "broken", defaults: {}, create: () => ({ id: "rate_burst", observe: () => { throw new Error("boom"); } }) };
    const engine = createEngine([broken, ...ALL_RULES.filter((m) => m.id === "unreleased_model")]);
    const r = engine.observe(ev({ model: "capybara" }), ctx);
    expect(r.errors).toEqual([{ rule: "rate_burst", message: "boom" }]);
    expect(r.findings.map((f) => f.rule)).toEqual(["unreleased_model"]);
    engine.observe(ev({ ts: T0 + 1 }), ctx);
    expect(engine.errorCounts()).toEqual([{ rule: "rate_burst", count: 2, lastMessage: "boom" }]);
  });

  it("passes each rule its defaults merged with valid overrides only", () => {
    const seen: Record<string, number>[] = [];
    const probe: RuleModule = { id: "error_burst", description: "probe", defaults: { distinct: 5, leakMs: 10_000 }, create: () => ({ id: "error_burst", observe: (_e, c) => (seen.push({ ...c.settings }), []) }) };
    createEngine([probe], { error_burst: { distinct: 8, bogus: 1, leakMs: Number.NaN } }).observe(ev(), ctx);
    expect(seen).toEqual([{ distinct: 8, leakMs: 10_000 }]);
    expect(mergeSettings(probe)).toEqual({ distinct: 5, leakMs: 10_000 });
  });
});
