import { describe, expect, it } from "vitest";
import { ALL_RULES } from "~/domain/detection/all-rules";
import { createStageDetector, STAGE_RULES, stageModules } from "~/domain/detection/stage-detection";
import type { CatalogModel, DetectionEvent, RuleId } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 10, 20, 9);
const catalog: CatalogModel[] = [
  { name: "atlas-2", status: "ga", aliases: [] },
  { name: "orion-1", status: "unreleased", aliases: ["capybara"] },
];
const ev = (over: Partial<DetectionEvent> = {}): DetectionEvent => ({ ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "model-sdk-node/2.0.1", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over });
/** The rules that need no inventory facts or baselines: any of them may run in the stage. */
const EVENT_ONLY: RuleId[] = ["pattern_guessing", "credential_sharing", "ip_probe", "path_enumeration", "error_burst", "scanner_user_agent", "unknown_model", "unreleased_model", "secret_in_logs", "unregistered_credential"];
const detector = () => createStageDetector({ rules: EVENT_ONLY, overrides: {}, catalog }, (k) => k === "kw_a");

describe("detection in the parse stage", () => {
  it("runs only the stage rules, all of them rules that need no inventory facts or baselines", () => {
    expect(stageModules(STAGE_RULES).map((m) => m.id).sort()).toEqual([...STAGE_RULES].sort());
    for (const id of STAGE_RULES) expect(EVENT_ONLY).toContain(id);
    expect(ALL_RULES.map((m) => m.id)).toEqual(expect.arrayContaining(EVENT_ONLY));
  });

  it("runs every event-only rule without asking for facts or baselines, on a stream that makes them fire", () => {
    const d = detector();
    let i = 0;
    const seen = new Set<string>();
    const push = (e: DetectionEvent) => d.observe(e, i++);
    for (let k = 0; k < 60; k++) push(ev({ ts: T0 + k * 500, srcIp: "192.0.2.50", keyRef: k % 2 ? "kw_a" : "kw_ghost", credentialId: k % 2 ? "cred-a" : null, path: `/v1/models/atlas-${k}/messages`, endpoint: null, model: `atlas-${k}`, status: 404, userAgent: k % 3 ? "sqlmap/1.7" : "curl/8.5.0" }));
    for (let k = 0; k < 12; k++) push(ev({ ts: T0 + 40_000 + k * 1000, srcIp: `203.0.113.${k + 1}` }));
    push(ev({ ts: T0 + 60_000, keyRef: "kw_ghost", credentialId: null, secretsStripped: ["authorization"] }));
    push(ev({ ts: T0 + 61_000, path: "/v1/models/orion-1/messages", model: "orion-1" }));
    for (const f of d.take()) seen.add(f.finding.rule);
    expect(d.errorCounts()).toEqual([]);
    expect([...seen].sort()).toEqual([...EVENT_ONLY].sort());
  });

  it("hands over each batch's findings with the index of the event that raised them, once", () => {
    const d = detector();
    d.observe(ev(), 0);
    d.observe(ev({ ts: T0 + 1000, path: "/v1/models/orion-1/messages", model: "orion-1", status: 404 }), 1);
    d.observe(ev({ ts: T0 + 2000, userAgent: "sqlmap/1.7" }), 2);
    const found = d.take();
    expect(found.map((f) => [f.index, f.finding.rule])).toEqual([
      [1, "unreleased_model"],
      [2, "scanner_user_agent"],
    ]);
    expect(d.take()).toEqual([]);
    expect(d.errorCounts()).toEqual([]);
  });

  it("keeps its windows across batches: an enumeration split over two batches is found in the second", () => {
    const d = detector();
    for (let i = 0; i < 12; i++) d.observe(ev({ ts: T0 + i * 1000, srcIp: "192.0.2.50", path: `/v1/admin/probe-${i}`, endpoint: null, model: null, status: 404 }), i);
    const first = d.take().map((f) => f.finding.rule);
    for (let i = 12; i < 40; i++) d.observe(ev({ ts: T0 + i * 1000, srcIp: "192.0.2.50", path: `/v1/admin/probe-${i}`, endpoint: null, model: null, status: 404 }), i - 12);
    const second = d.take().map((f) => f.finding.rule);
    expect(first).not.toContain("path_enumeration");
    expect(second).toContain("path_enumeration");
  });

  it("reports a rule that asks for what the stage does not have as a rule error, without stopping", () => {
    const d = createStageDetector({ rules: ["out_of_grant"], overrides: {}, catalog }, () => true);
    d.observe(ev(), 0);
    expect(d.take()).toEqual([]);
    expect(d.errorCounts()).toEqual([{ rule: "out_of_grant", count: 1, lastMessage: "a credential's facts is not available where the import parses" }]);
  });
});
