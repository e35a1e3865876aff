import { describe, expect, it } from "vitest";
import { createSecretInLogs, rule } from "~/domain/detection/secret-in-logs";
import type { DetectionEvent, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const DAY = 86_400_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "curl/8.4.0", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, secretsStripped: ["authorization"], ...over };
}
function ctx(over: Partial<RuleContext> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("secret_in_logs", () => {
  it("fires high naming the stripped fields, never anything else", () => {
    const f = rule.create().observe(ev({ secretsStripped: ["x-api-key", "authorization", "x-api-key"] }), ctx());
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "secret_in_logs", severity: "high", credentialId: "cred-a", keyRef: "kw_a", srcIp: "203.0.113.9", windowMs: DAY });
    expect(f[0].summary).toBe(
      'The gateway logged secret material in the fields "authorization", "x-api-key" (Key kw_a from 203.0.113.9: POST /v1/models/atlas-2/messages); it was dropped before storage (threshold: 1 line; repeats within 1 day update this flag).',
    );
    expect(rule.create().observe(ev({ secretsStripped: ["apiKey"] }), ctx())[0].summary).toContain('in the field "apiKey"');
  });

  it("never fires when nothing was stripped", () => {
    const r = rule.create();
    expect(r.observe(ev({ secretsStripped: undefined }), ctx())).toEqual([]);
    expect(r.observe(ev({ secretsStripped: [] }), ctx())).toEqual([]);
  });

  it("fires for lines without any key or address", () => {
    const f = rule.create().observe(ev({ keyRef: null, credentialId: null, srcIp: null }), ctx());
    expect(f).toHaveLength(1);
    expect(f[0].summary).toContain("A request with no key or source address");
  });

  it("fires once per subject and set of fields per window", () => {
    const r = rule.create();
    const n = (over: Partial<DetectionEvent>) => r.observe(ev(over), ctx()).length;
    expect(n({})).toBe(1);
    expect(n({ ts: T0 + DAY - 1 })).toBe(0);
    expect(n({ ts: T0 + 1, secretsStripped: ["authorization", "cookie"] })).toBe(1); // new field set
    expect(n({ ts: T0 + 2, credentialId: "cred-b", keyRef: "kw_b" })).toBe(1); // another credential
    expect(n({ ts: T0 + DAY })).toBe(1); // next window
  });

  it("keeps memory bounded", () => {
    const r = createSecretInLogs({ maxSubjects: 100 });
    for (let i = 0; i < 10_000; i++) r.observe(ev({ ts: T0 + i, credentialId: `c${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100);
  });
});
