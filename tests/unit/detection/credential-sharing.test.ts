import { describe, expect, it } from "vitest";
import { createCredentialSharing, rule } from "~/domain/detection/credential-sharing";
import type { DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const MIN = 60_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "ci-runner/1", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}

describe("credential_sharing", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("credential_sharing");
    expect(rule.defaults).toMatchObject({ windowMs: 1_800_000, highNetworks: 3, lowIps: 2, lowUserAgents: 2 });
  });

  it("fires high on 3 addresses in distinct /16s within 30 min", () => {
    const f = run([ev({ srcIp: "203.0.113.9" }), ev({ ts: T0 + 5 * MIN, srcIp: "198.51.100.7" }), ev({ ts: T0 + 29 * MIN, srcIp: "192.0.2.1" })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "credential_sharing", severity: "high", credentialId: "cred-a", srcIp: "192.0.2.1", windowMs: 1_800_000 });
    expect(f[0].summary).toBe("This credential was used from 3 addresses in 3 distinct /16 networks within 30 min (threshold: 3 or more distinct /16s)");
    expect(f[0].sample.map((s) => s.srcIp)).toEqual(["203.0.113.9", "198.51.100.7", "192.0.2.1"]);
  });

  it("does not fire high for 2 networks, nor for 3 addresses within two /16s", () => {
    expect(run([ev({ srcIp: "203.0.113.9" }), ev({ srcIp: "198.51.100.7" })])).toEqual([]);
    expect(run([ev({ srcIp: "203.0.113.9" }), ev({ srcIp: "203.0.7.1" }), ev({ srcIp: "198.51.100.7" })])).toEqual([]);
  });

  it("forgets addresses older than 30 min (window edge)", () => {
    const a = ev({ srcIp: "203.0.113.9" });
    const b = ev({ ts: T0 + 10 * MIN, srcIp: "198.51.100.7" });
    expect(run([a, b, ev({ ts: T0 + 30 * MIN, srcIp: "192.0.2.1" })])).toEqual([]);
    expect(run([a, b, ev({ ts: T0 + 30 * MIN - 1, srcIp: "192.0.2.1" })])).toHaveLength(1);
  });

  it("a repeat of the last address and user agent (the fast path) keeps both in the window", () => {
    const later = [ev({ ts: T0 + 40 * MIN, srcIp: "198.51.100.7", userAgent: "curl/8" })];
    // Seen again 20 min in: still within 30 min of the third event, so two addresses and two user agents.
    const f = run([ev(), ev({ ts: T0 + 20 * MIN }), ...later]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "low" });
    expect(f[0].summary).toContain("2 addresses with 2 different user agents");
    // Not seen again: forgotten by then.
    expect(run([ev(), ...later])).toEqual([]);
  });

  it("after the last address and user agent were forgotten, their return counts as new (the fast path is not taken)", () => {
    const f = run([ev(), ev({ ts: T0 + 31 * MIN }), ev({ ts: T0 + 32 * MIN, srcIp: "198.51.100.7", userAgent: "curl/8" })]);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: "low", srcIp: "198.51.100.7" });
    // The sample holds the return (a new address again at +31 min), not the forgotten first use.
    expect(f[0].sample.map((x) => x.ts)).toEqual([T0 + 31 * MIN, T0 + 32 * MIN]);
  });

  it("fires low on 2 addresses with 2 user agents, not on 2 addresses with one, nor one address with 2", () => {
    const f = run([ev({ srcIp: "203.0.113.9", userAgent: "ci-runner/1" }), ev({ ts: T0 + MIN, srcIp: "203.0.113.10", userAgent: "curl/8.4" })]);
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe("low");
    expect(f[0].summary).toBe("This credential was used from 2 addresses with 2 different user agents within 30 min (threshold: 2 or more addresses and 2 or more user agents)");
    expect(run([ev({ srcIp: "203.0.113.9" }), ev({ srcIp: "203.0.113.10" })])).toEqual([]);
    expect(run([ev({ userAgent: "a" }), ev({ userAgent: "b" })])).toEqual([]);
  });

  it("does not count user agents a log format does not carry", () => {
    expect(run([ev({ srcIp: "203.0.113.9", userAgent: null }), ev({ srcIp: "203.0.113.10", userAgent: null })])).toEqual([]);
  });

  it("escalates from low to high, then stays quiet within the window", () => {
    const f = run([
      ev({ srcIp: "203.0.113.9", userAgent: "a" }),
      ev({ ts: T0 + 1, srcIp: "203.0.113.10", userAgent: "b" }),
      ev({ ts: T0 + 2, srcIp: "198.51.100.7" }),
      ev({ ts: T0 + 3, srcIp: "192.0.2.1" }),
      ev({ ts: T0 + 4, srcIp: "100.64.1.1" }),
    ]);
    expect(f.map((x) => x.severity)).toEqual(["low", "high"]);
  });

  it("keeps credentials apart and ignores events without credential or address", () => {
    expect(run([ev({ srcIp: "203.0.113.9" }), ev({ srcIp: "198.51.100.7", credentialId: "cred-b" }), ev({ srcIp: "192.0.2.1", credentialId: "cred-c" })])).toEqual([]);
    expect(run([ev({ credentialId: null, srcIp: "203.0.113.9" }), ev({ credentialId: null, srcIp: "198.51.100.7" }), ev({ credentialId: null, srcIp: "192.0.2.1" })])).toEqual([]);
  });

  it("uses the IPv6 /32 as the wide network", () => {
    expect(run([ev({ srcIp: "2001:db8:1::1" }), ev({ srcIp: "2001:db8:2::1" }), ev({ srcIp: "2001:db9::1" })])).toEqual([]);
    expect(run([ev({ srcIp: "2001:db8::1" }), ev({ srcIp: "2001:db9::1" }), ev({ srcIp: "2001:dba::1" })])).toHaveLength(1);
  });

  it("reads thresholds from settings and keeps memory bounded", () => {
    expect(run([ev({ srcIp: "203.0.113.9" }), ev({ srcIp: "198.51.100.7" })], ctx({ highNetworks: 2 }))).toHaveLength(1);
    const r = createCredentialSharing({ maxSubjects: 10 });
    for (let i = 0; i < 1000; i++) r.observe(ev({ credentialId: `c${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(10);
  });
});
