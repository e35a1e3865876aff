import { describe, expect, it } from "vitest";
import { createNewSource, rule } from "~/domain/detection/new-source";
import type { CredentialBaseline, DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 3, 17, 12);
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "ci-runner/1", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
const history: CredentialBaseline = {
  lastUsedAt: T0 - DAY,
  firstSeenAt: T0 - 30 * DAY,
  knownIps: ["203.0.113.9", "192.0.2.44"],
  knownPrefixes: ["203.0.113.0/24", "192.0.2.0/24"],
  modelsUsed: ["atlas-2"],
  ratePerMinuteP99: 12,
};
function ctx(baseline: CredentialBaseline | null = history, settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => baseline, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}

describe("new_source", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("new_source");
    expect(rule.defaults.historyMs).toBe(10 * DAY);
  });

  it("fires low on first use from an address whose /24 is not in the history", () => {
    const f = run([ev({ srcIp: "198.51.100.7" })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "new_source", severity: "low", credentialId: "cred-a", srcIp: "198.51.100.7", windowMs: 10 * DAY });
    expect(f[0].summary).toBe(
      "First use of this credential from 198.51.100.7 (198.51.100.0/24): neither the address nor its network appears in the credential's last 10 days of history (2 known addresses)",
    );
  });

  it("never fires for a known address or a new address in a known /24", () => {
    expect(run([ev(), ev({ srcIp: "192.0.2.44" })])).toEqual([]);
    expect(run([ev({ srcIp: "203.0.113.200" })])).toEqual([]);
  });

  it("fires once per address per import, and not for a second address of a /24 first seen in this import", () => {
    const f = run([ev({ srcIp: "198.51.100.7" }), ev({ srcIp: "198.51.100.7", ts: T0 + 1 }), ev({ srcIp: "198.51.100.8", ts: T0 + 2 }), ev({ srcIp: "100.64.9.9", ts: T0 + 3 })]);
    expect(f.map((x) => x.srcIp)).toEqual(["198.51.100.7", "100.64.9.9"]);
  });

  it("is suppressed while the history is shorter than 10 days", () => {
    expect(run([ev({ srcIp: "198.51.100.7" })], ctx(null))).toEqual([]);
    expect(run([ev({ srcIp: "198.51.100.7" })], ctx({ ...history, firstSeenAt: null }))).toEqual([]);
    expect(run([ev({ srcIp: "198.51.100.7" })], ctx({ ...history, firstSeenAt: T0 - 10 * DAY + 1 }))).toEqual([]);
    expect(run([ev({ srcIp: "198.51.100.7" })], ctx({ ...history, firstSeenAt: T0 - 10 * DAY }))).toHaveLength(1);
  });

  it("does not report an address first seen while suppressed when the history later reaches 10 days", () => {
    const b = { ...history, firstSeenAt: T0 - 10 * DAY + 1000 };
    expect(run([ev({ srcIp: "198.51.100.7" }), ev({ srcIp: "198.51.100.7", ts: T0 + 2000 })], ctx(b))).toEqual([]);
  });

  it("keeps credentials apart and ignores events without credential or address", () => {
    const f = run([ev({ srcIp: "198.51.100.7" }), ev({ srcIp: "198.51.100.7", credentialId: "cred-b" })]);
    expect(f.map((x) => x.credentialId)).toEqual(["cred-a", "cred-b"]);
    expect(run([ev({ credentialId: null, srcIp: "198.51.100.7" }), ev({ srcIp: null })])).toEqual([]);
  });

  it("uses the IPv6 /48 as the network", () => {
    const b = { ...history, knownIps: ["2001:db8:1::5"], knownPrefixes: ["2001:db8:1::/48"] };
    expect(run([ev({ srcIp: "2001:db8:1:ff::9" })], ctx(b))).toEqual([]);
    expect(run([ev({ srcIp: "2001:db8:2::9" })], ctx(b))).toHaveLength(1);
  });

  it("keeps memory bounded by its subject cap", () => {
    const r = createNewSource({ maxSubjects: 20 });
    for (let i = 0; i < 2000; i++) r.observe(ev({ credentialId: `c${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(20);
  });
});
