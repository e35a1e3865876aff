import { describe, expect, it } from "vitest";
import type { DetectionEvent, RuleContext } from "~/domain/detection/types";
import { createUnregisteredCredential, rule } from "~/domain/detection/unregistered-credential";

const T0 = Date.UTC(2026, 3, 7, 12);
const DAY = 86_400_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_ghost", credentialId: null, srcIp: "203.0.113.9", userAgent: "curl/8.4.0", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(registered: string[] = ["kw_known"], over: Partial<RuleContext> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: (k) => registered.includes(k), settings: rule.defaults, ...over };
}

describe("unregistered_credential", () => {
  it("fires high when an unregistered key is answered 2xx", () => {
    const f = rule.create().observe(ev(), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "unregistered_credential", severity: "high", keyRef: "kw_ghost", credentialId: null, srcIp: "203.0.113.9", windowMs: DAY });
    expect(f[0].summary).toBe("Key kw_ghost from 203.0.113.9 is not registered in Keyward, yet the gateway answered 200 to POST /v1/models/atlas-2/messages (threshold: 1 successful request; repeats within 1 day update this flag).");
    expect(rule.create().observe(ev({ status: 299 }), ctx())).toHaveLength(1);
  });

  it("never fires on refused requests, registered keys, or events without a key", () => {
    const r = rule.create();
    for (const status of [199, 300, 401, 403, 404, 429, 500]) expect(r.observe(ev({ status }), ctx())).toEqual([]);
    expect(r.observe(ev({ keyRef: "kw_known" }), ctx())).toEqual([]);
    expect(r.observe(ev({ keyRef: null }), ctx())).toEqual([]);
    expect(r.observe(ev({ keyRef: "" }), ctx())).toEqual([]);
  });

  it("fires once per key reference per 24 h", () => {
    const r = rule.create();
    expect(r.observe(ev(), ctx())).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + DAY - 1, srcIp: "198.51.100.7" }), ctx())).toEqual([]);
    expect(r.observe(ev({ ts: T0 + 5, keyRef: "kw_other" }), ctx())).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + DAY }), ctx())).toHaveLength(1);
  });

  it("keeps memory bounded", () => {
    const r = createUnregisteredCredential({ maxSubjects: 100 });
    for (let i = 0; i < 10_000; i++) r.observe(ev({ ts: T0 + i, keyRef: `kw_${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100);
  });
});
