import { describe, expect, it } from "vitest";
import { modelIndex } from "~/domain/detection/model-index";
import type { CatalogModel, DetectionEvent, RuleContext } from "~/domain/detection/types";
import { classifyUnknownModel, createUnknownModel, rule } from "~/domain/detection/unknown-model";

const T0 = Date.UTC(2026, 3, 7, 12);
const DAY = 86_400_000;
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: ["atlas-latest"] },
  { name: "atlas-3-pro", status: "restricted", aliases: [] }, // family "atlas" is a GA family: not suspicious
  { name: "nova-1", status: "ga", aliases: [] },
  { name: "mythos-preview", status: "unreleased", aliases: ["capybara"] },
  { name: "orion-x", status: "restricted", aliases: ["hunter"] },
  { name: "old-1", status: "retired", aliases: [] },
];
const index = modelIndex(catalog);
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "python-requests/2.31", method: "POST", path: "/v1/models/x/messages", endpoint: "messages", model: "atlas-2", status: 404, ...over };
}
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { catalog, credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("classifyUnknownModel", () => {
  it("calls a name within 2 edits of a GA model a typo (info)", () => {
    expect(classifyUnknownModel("atlas-22", index, 2).severity).toBe("info"); // 1 edit
    expect(classifyUnknownModel("atals-2", index, 2).severity).toBe("info"); // 2 edits
    expect(classifyUnknownModel("Nova-2", index, 2).severity).toBe("info"); // case-insensitive
    expect(classifyUnknownModel("atlas-latst", index, 2).severity).toBe("info"); // near a GA alias
    expect(classifyUnknownModel("atlaz-333", index, 2).severity).toBe("low"); // 3 edits
    expect(classifyUnknownModel("nova-1x", index, 0).severity).toBe("low"); // bound from settings
    expect(classifyUnknownModel("atals-2", index, 2).reason).toContain("2 edits from GA model atlas-2");
  });

  it("calls a name containing a restricted or unreleased name, alias or family token high", () => {
    expect(classifyUnknownModel("mythos-preview-2", index, 2)).toMatchObject({ severity: "high" });
    expect(classifyUnknownModel("mythos-1", index, 2).reason).toContain('"mythos", the family token of unreleased model mythos-preview');
    expect(classifyUnknownModel("orion-y", index, 2).reason).toContain("family token of restricted model orion-x");
    expect(classifyUnknownModel("capybara-v1", index, 2).reason).toContain("an alias of unreleased model mythos-preview");
    expect(classifyUnknownModel("HUNTER-2", index, 2).severity).toBe("high");
    expect(classifyUnknownModel("atlas-3-pro-max", index, 2).reason).toContain("the name of restricted model atlas-3-pro");
  });

  it("does not treat a GA family as suspicious", () => {
    expect(classifyUnknownModel("atlas-9", index, 2).severity).toBe("info");
    expect(classifyUnknownModel("atlas-9000-turbo", index, 2).severity).toBe("low");
  });

  it("ranks a guess above a typo", () => {
    // "orion-x2" is 2 edits from nothing GA, contains restricted "orion-x": high wins regardless
    expect(classifyUnknownModel("orion-x2", index, 2).severity).toBe("high");
  });

  it("calls anything else low", () => {
    expect(classifyUnknownModel("gpt-4o", index, 2)).toEqual({ severity: "low", reason: "matches no model, alias or codename in the catalog" });
  });
});

describe("unknown_model", () => {
  it("ignores events without a model and catalog names or aliases in any case", () => {
    const r = rule.create();
    for (const model of [null, "atlas-2", "ATLAS-LATEST", "old-1", "mythos-preview", "capybara"]) expect(r.observe(ev({ model }), ctx())).toEqual([]);
  });

  it("fires once per unknown name with its severity and a readable summary", () => {
    const r = rule.create();
    const f = r.observe(ev({ model: "atals-2" }), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "unknown_model", severity: "info", credentialId: "cred-a", keyRef: "kw_a", windowMs: DAY });
    expect(f[0].summary).toBe('Key kw_a from 203.0.113.9 asked for model "atals-2", which is not in the catalog: it is 2 edits from GA model atlas-2 (a likely typo; threshold: at most 2) (answered 404).');
    expect(r.observe(ev({ model: "atals-2", ts: T0 + 1000 }), ctx())).toEqual([]); // same name again: no new finding
    expect(r.observe(ev({ model: "gpt-4o", ts: T0 + 2000, credentialId: "cred-b", keyRef: "kw_b" }), ctx())[0].severity).toBe("low");
    expect(r.observe(ev({ model: "orion-y", ts: T0 + 3000, credentialId: "cred-c", keyRef: "kw_c" }), ctx())[0].severity).toBe("high");
  });

  it("escalates to high at 3 distinct unknown names per key within 24 h, not at 2", () => {
    const r = rule.create();
    expect(r.observe(ev({ model: "atals-2" }), ctx())[0].severity).toBe("info");
    expect(r.observe(ev({ model: "atals-2", ts: T0 + 10 }), ctx())).toEqual([]); // a repeat is not a new name
    expect(r.observe(ev({ model: "nova-7", ts: T0 + 20 }), ctx())[0].severity).toBe("info"); // 2 distinct
    const f = r.observe(ev({ model: "gpt-4o", ts: T0 + DAY - 1 }), ctx()); // 3 distinct within 24 h
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe("high");
    expect(f[0].summary).toContain("3 distinct model names that are not in the catalog within 1 day (threshold: 3)");
    expect(f[0].summary).toContain("atals-2, nova-7, gpt-4o");
    // a fourth name inside the same window adds its own finding (low here), not another escalation
    expect(r.observe(ev({ model: "llama-9", ts: T0 + DAY }), ctx()).map((x) => x.severity)).toEqual(["low"]);
  });

  it("does not escalate when the names are spread beyond 24 h", () => {
    const r = rule.create();
    const sev = (model: string, ts: number) => r.observe(ev({ model, ts }), ctx()).map((x) => x.severity);
    expect(sev("gpt-4o", T0)).toEqual(["low"]);
    expect(sev("gpt-5", T0 + DAY / 2)).toEqual(["low"]);
    expect(sev("claude-9", T0 + DAY)).toEqual(["low"]); // the first name has left the window
  });

  it("counts distinct names per credential, or per key reference when the credential is unknown", () => {
    const r = rule.create();
    const sev = (over: Partial<DetectionEvent>) => r.observe(ev(over), ctx()).map((x) => x.severity);
    expect(sev({ model: "a-1", credentialId: null, keyRef: "kw_x" })).toEqual(["low"]);
    expect(sev({ model: "b-1", credentialId: null, keyRef: "kw_x" })).toEqual(["low"]);
    expect(sev({ model: "c-1", credentialId: null, keyRef: "kw_y" })).toEqual(["low"]); // another key
    expect(sev({ model: "c-1", credentialId: null, keyRef: "kw_x" })).toEqual(["high"]);
  });

  it("does not escalate without a key, however many names one IP asks for", () => {
    const r = rule.create();
    const all = ["a-1", "b-1", "c-1", "d-1"].flatMap((model, i) => r.observe(ev({ model, ts: T0 + i, credentialId: null, keyRef: null }), ctx()));
    expect(all.map((x) => x.severity)).toEqual(["low", "low", "low", "low"]);
  });

  it("takes the escalation threshold from settings", () => {
    const r = rule.create();
    const c = ctx({ settings: { ...rule.defaults, escalationDistinct: 2 } });
    expect(r.observe(ev({ model: "a-1" }), c)[0].severity).toBe("low");
    expect(r.observe(ev({ model: "b-1" }), c)[0].severity).toBe("high");
  });

  it("re-fires the escalation at most once per window", () => {
    const r = rule.create();
    const sev = (model: string, ts: number) => r.observe(ev({ model, ts }), ctx()).map((x) => `${x.severity}:${x.summary.includes("distinct") ? "esc" : "one"}`);
    sev("a-1", T0);
    sev("b-1", T0 + 1);
    expect(sev("c-1", T0 + 2)).toEqual(["high:esc"]);
    expect(sev("d-1", T0 + 3)).toEqual(["low:one"]);
    expect(sev("e-1", T0 + 4)).toEqual(["low:one"]); // 5 distinct now, still the same window: no second escalation
    // a day later the old names have left the window; three new ones escalate again
    expect(sev("f-1", T0 + DAY + 10)).toEqual(["low:one"]);
    expect(sev("g-1", T0 + DAY + 11)).toEqual(["low:one"]);
    expect(sev("h-1", T0 + DAY + 12)).toEqual(["high:esc"]);
  });

  it("keeps memory bounded with many distinct keys", () => {
    const r = createUnknownModel({ maxSubjects: 500 });
    for (let i = 0; i < 50_000; i++) r.observe(ev({ ts: T0 + i, keyRef: `kw_${i}`, credentialId: null, srcIp: `10.0.${(i >> 8) & 255}.${i & 255}`, model: "gpt-4o" }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(500);
  });
});
