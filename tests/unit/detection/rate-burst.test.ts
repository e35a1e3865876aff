import { describe, expect, it } from "vitest";
import { createRateBurst, rule } from "~/domain/detection/rate-burst";
import type { CredentialBaseline, DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const MIN = 60_000;
const T0 = Date.UTC(2026, 3, 7, 12, 0); // the start of a calendar minute
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "sdk/1", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
const withP99 = (p99: number | null): CredentialBaseline => ({ lastUsedAt: T0 - MIN, firstSeenAt: T0 - 30 * 86_400_000, knownIps: [], knownPrefixes: [], modelsUsed: [], ratePerMinuteP99: p99 });
function ctx(baseline: CredentialBaseline | null, settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => baseline, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c: RuleContext): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
/** n requests spread evenly within the minute starting at `start`. */
const minute = (n: number, start = T0, over: Partial<DetectionEvent> = {}) => Array.from({ length: n }, (_, i) => ev({ ts: start + Math.floor((i * (MIN - 1)) / n), ...over }));

describe("rate_burst", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("rate_burst");
    expect(rule.defaults).toMatchObject({ multiplier: 5, minPerMinute: 120, noBaselinePerMinute: 600 });
  });

  it("with a baseline p99 of 40: 200 in a minute do not fire, 201 fire medium", () => {
    expect(run(minute(200), ctx(withP99(40)))).toEqual([]);
    const f = run(minute(201), ctx(withP99(40)));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "rate_burst", severity: "medium", credentialId: "cred-a", windowMs: 600_000 });
    expect(f[0].summary).toBe(
      "201 requests with this credential in the minute starting 2026-04-07 12:00 UTC (threshold: more than 5 × its usual peak of 40 per minute (99th percentile) and more than 120; repeat findings at most every 10 min)",
    );
  });

  it("with a small baseline p99 the absolute floor of 120 applies", () => {
    expect(run(minute(120), ctx(withP99(3)))).toEqual([]);
    expect(run(minute(121), ctx(withP99(3)))).toHaveLength(1);
  });

  it("without a baseline only more than 600 a minute counts", () => {
    for (const b of [null, withP99(null)]) {
      expect(run(minute(600), ctx(b))).toEqual([]);
      const f = run(minute(601), ctx(b));
      expect(f).toHaveLength(1);
      expect(f[0].summary).toContain("no baseline yet, threshold: more than 600 per minute");
    }
  });

  it("counts calendar minutes: 240 requests in 60 s straddling a minute boundary are 120 + 120, not a burst", () => {
    // 240 requests between 12:00:30 and 12:01:30: 120 in each calendar minute.
    const across = Array.from({ length: 240 }, (_, i) => ev({ ts: T0 + 30_000 + i * 250 }));
    expect(across.filter((e) => e.ts < T0 + MIN)).toHaveLength(120);
    expect(run(across, ctx(withP99(10)))).toEqual([]);
  });

  it("fires once per repeat window across consecutive burst minutes, again after it", () => {
    const bursts = [0, 1, 2, 9, 10, 11].flatMap((m) => minute(130, T0 + m * MIN));
    expect(run(bursts, ctx(withP99(10))).map((f) => Math.floor((f.ts - T0) / MIN))).toEqual([0, 10]);
  });

  it("counts a slightly late event into the previous minute", () => {
    const events = [...minute(120), ev({ ts: T0 + MIN + 5 }), ev({ ts: T0 + 59_000 })];
    expect(run(events, ctx(withP99(10)))).toHaveLength(1);
  });

  it("keeps credentials apart and ignores events without one", () => {
    expect(run(minute(200).map((e, i) => ({ ...e, credentialId: `cred-${i % 2}` })), ctx(withP99(10)))).toEqual([]);
    expect(run(minute(700, T0, { credentialId: null }), ctx(null))).toEqual([]);
  });

  it("reads thresholds from settings and keeps memory bounded", () => {
    expect(run(minute(11), ctx(withP99(2), { minPerMinute: 10 }))).toHaveLength(1);
    const r = createRateBurst({ maxSubjects: 10 });
    for (let i = 0; i < 1000; i++) r.observe(ev({ credentialId: `c${i}` }), ctx(null));
    expect(r.trackedSubjects()).toBeLessThanOrEqual(10);
  });
});
