import { describe, expect, it } from "vitest";
import { MAX_SUBJECTS } from "~/domain/detection/leaky-bucket";
import { createIpProbe, rule } from "~/domain/detection/ip-probe";
import type { DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const S = 1000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: null, credentialId: null, srcIp: "203.0.113.9", userAgent: "Mozilla/5.0", method: "GET", path: "/x", endpoint: null, model: null, status: 404, ...over };
}
function ctx(settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => false, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
function burst(n: number, gapMs: number, over: Partial<DetectionEvent> = {}): DetectionEvent[] {
  return Array.from({ length: n }, (_, i) => ev({ ts: T0 + i * gapMs, path: `/admin-${i}`, ...over }));
}

describe("ip_probe: distinct error paths per source IP", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("ip_probe");
    expect(rule.defaults).toMatchObject({ capacity: 10, leakMs: 10_000, sweepRequests: 500, sweepDistinctPaths: 250, sweepWindowMs: 600_000 });
  });

  it("does not fire on exactly 10, fires medium on 11", () => {
    expect(run(burst(10, 100))).toEqual([]);
    const f = run(burst(11, 100));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "ip_probe", severity: "medium", srcIp: "203.0.113.9", credentialId: null, ts: T0 + 1000 });
    expect(f[0].summary).toBe("11 distinct paths answered 400/403/404/405 within 1 s from 203.0.113.9 (threshold: more than 10, leaking 1 per 10 s)");
  });

  it("leaks: 11 distinct error paths 10 s apart do not fire", () => {
    expect(run(burst(11, 10 * S))).toEqual([]);
  });

  it("counts with any credential or none, across credentials", () => {
    const events = burst(11, 100).map((e, i) => ({ ...e, credentialId: i % 3 === 0 ? null : `cred-${i}`, keyRef: i % 3 === 0 ? null : `kw_${i}` }));
    expect(run(events)).toHaveLength(1);
  });

  it("keeps addresses apart and ignores events without one", () => {
    expect(run(burst(11, 100).map((e, i) => ({ ...e, srcIp: `198.51.100.${i}` })))).toEqual([]);
    expect(run(burst(30, 100, { srcIp: null }))).toEqual([]);
  });

  it("escalates to high past 3 × the threshold (more than 30 distinct)", () => {
    expect(run(burst(30, 100)).map((f) => f.severity)).toEqual(["medium"]);
    const f = run(burst(31, 100));
    expect(f.map((x) => x.severity)).toEqual(["medium", "high"]);
    expect(f[1].summary).toContain("threshold: more than 30 for high");
  });

  it("ignores successful and server-error answers for the bucket", () => {
    expect(run(burst(40, 100, { status: 200 }))).toEqual([]);
    expect(run(burst(40, 100, { status: 503 }))).toEqual([]);
  });
});

describe("ip_probe: sweep", () => {
  /** n requests over `spanMs` cycling through `paths` distinct paths, all answered 200. */
  function sweep(n: number, paths: number, spanMs: number): DetectionEvent[] {
    return Array.from({ length: n }, (_, i) => ev({ ts: T0 + Math.floor((i * spanMs) / n), path: `/p/${i % paths}`, status: 200 }));
  }

  it("fires high on more than 500 requests and more than 250 distinct paths within 10 min", () => {
    const f = run(sweep(501, 251, 9 * 60 * S));
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe("high");
    expect(f[0].summary).toMatch(/^Sweep from 203\.0\.113\.9: 501 requests to 251 distinct paths within 9 min \(threshold: more than 500 requests and more than 250 distinct paths in 10 min\)$/);
  });

  it("does not fire at exactly 500 requests or exactly 250 distinct paths", () => {
    expect(run(sweep(500, 251, 9 * 60 * S))).toEqual([]);
    expect(run(sweep(2000, 250, 9 * 60 * S))).toEqual([]);
  });

  it("does not fire when the requests are spread over more than 10 min", () => {
    expect(run(sweep(600, 300, 25 * 60 * S))).toEqual([]);
  });

  it("fires once per repeat window for a long sweep", () => {
    expect(run(sweep(3000, 1000, 9 * 60 * S))).toHaveLength(1);
  });
});

describe("ip_probe: memory", () => {
  it("tracks at most the subject cap with 1M distinct source IPs", () => {
    const r = createIpProbe();
    const c = ctx();
    for (let i = 0; i < 1_000_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      // All within one minute: idle eviction cannot help, only the cap.
      r.observe(ev({ ts: T0 + Math.floor(i / 20), srcIp: ip, path: `/p${i & 7}` }), c);
    }
    expect(r.trackedSubjects()).toBeGreaterThan(0);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(MAX_SUBJECTS);
  }, 60_000);

  it("drops idle addresses as event time moves on", () => {
    const r = createIpProbe();
    const c = ctx();
    for (let i = 0; i < 5000; i++) r.observe(ev({ ts: T0 + i * S, srcIp: `198.51.${i >> 8}.${i & 255}` }), c);
    // Each address is idle after its windows: far fewer than 5000 remain.
    expect(r.trackedSubjects()).toBeLessThanOrEqual(700);
  });
});
