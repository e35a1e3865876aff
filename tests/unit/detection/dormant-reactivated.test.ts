import { describe, expect, it } from "vitest";
import { createDormantReactivated, rule } from "~/domain/detection/dormant-reactivated";
import type { CredentialBaseline, CredentialFacts, DetectionEvent, RuleContext } from "~/domain/detection/types";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 3, 7, 12);
const cred: CredentialFacts = { id: "cred-a", orgId: "org-1", status: "active", issuedAt: T0 - 200 * DAY, expiresAt: null, grantModels: ["@ga"], grantEndpoints: ["*"] };
const base: CredentialBaseline = { lastUsedAt: T0 - 90 * DAY, firstSeenAt: T0 - 180 * DAY, knownIps: [], knownPrefixes: [], modelsUsed: [], ratePerMinuteP99: null };
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "curl/8.4.0", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(b: Partial<CredentialBaseline> | null, c: Partial<CredentialFacts> = {}, over: Partial<RuleContext> = {}): RuleContext {
  return { catalog: [], credential: (id) => ({ ...cred, id, ...c }), baseline: () => (b ? { ...base, ...b } : null), isRegisteredKey: () => true, settings: rule.defaults, ...over };
}

describe("dormant_reactivated", () => {
  it("fires medium after exactly 90 days idle, not after 90 days minus 1 ms", () => {
    const f = rule.create().observe(ev(), ctx({}));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "dormant_reactivated", severity: "medium", credentialId: "cred-a", windowMs: DAY });
    expect(f[0].summary).toBe("Key kw_a from 203.0.113.9 was used again after 90 days idle (last use 2026-01-07; threshold: 90 days).");
    expect(rule.create().observe(ev(), ctx({ lastUsedAt: T0 - 90 * DAY + 1 }))).toEqual([]);
  });

  it("fires on a first use more than 30 days after issue, not at exactly 30 days", () => {
    const never = { lastUsedAt: null, firstSeenAt: null };
    const f = rule.create().observe(ev(), ctx(never, { issuedAt: T0 - 30 * DAY - 1 }));
    expect(f.map((x) => x.severity)).toEqual(["medium"]);
    expect(f[0].summary).toContain("was used for the first time 30 days after it was issued (2026-03-08; threshold: more than 30 days)");
    expect(rule.create().observe(ev(), ctx(never, { issuedAt: T0 - 30 * DAY }))).toEqual([]);
    // no baseline at all means never seen: the same rule applies
    expect(rule.create().observe(ev(), ctx(null, { issuedAt: T0 - 31 * DAY }))).toHaveLength(1);
    expect(rule.create().observe(ev(), ctx(null, { issuedAt: T0 - 29 * DAY }))).toEqual([]);
  });

  it("never fires for a credential used recently, seen before without a last use, or for an unmatched event", () => {
    const r = rule.create();
    expect(r.observe(ev(), ctx({ lastUsedAt: T0 - DAY }))).toEqual([]);
    expect(r.observe(ev({ credentialId: "cred-b" }), ctx({ lastUsedAt: null, firstSeenAt: T0 - 100 * DAY }))).toEqual([]);
    expect(r.observe(ev({ credentialId: null }), ctx({ lastUsedAt: T0 - 365 * DAY }))).toEqual([]);
    expect(r.observe(ev({ credentialId: "cred-c" }), ctx({ lastUsedAt: T0 + DAY }))).toEqual([]); // an older log than the last use
  });

  it("only a credential's first event in the import qualifies", () => {
    const r = rule.create();
    const c = ctx({ lastUsedAt: T0 - 100 * DAY });
    expect(r.observe(ev(), c)).toHaveLength(1);
    expect(r.observe(ev({ ts: T0 + 1000 }), c)).toEqual([]);
    expect(r.observe(ev({ ts: T0 + 10 * DAY }), c)).toEqual([]);
    // a first event that does not qualify settles the credential for the import
    const r2 = rule.create();
    expect(r2.observe(ev({ ts: T0 - 20 * DAY }), c)).toEqual([]); // 80 days idle
    expect(r2.observe(ev(), c)).toEqual([]);
    // a fresh import starts over
    expect(rule.create().observe(ev(), c)).toHaveLength(1);
  });

  it("takes thresholds from settings", () => {
    const c = ctx({ lastUsedAt: T0 - 10 * DAY }, {}, { settings: { ...rule.defaults, idleMs: 10 * DAY } });
    expect(rule.create().observe(ev(), c)[0].summary).toContain("threshold: 10 days");
  });

  it("keeps memory bounded", () => {
    const r = createDormantReactivated({ maxSubjects: 100 });
    for (let i = 0; i < 10_000; i++) r.observe(ev({ ts: T0 + i, credentialId: `c${i}` }), ctx({ lastUsedAt: T0 - DAY }));
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100);
  });
});
