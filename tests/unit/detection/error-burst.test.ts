import { describe, expect, it } from "vitest";
import { createErrorBurst, rule } from "~/domain/detection/error-burst";
import type { DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const S = 1000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "python-requests/2.31", method: "GET", path: "/v1/x", endpoint: null, model: null, status: 404, ...over };
}
function ctx(settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
/** Feeds events through one fresh rule; returns all findings. */
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
/** n distinct error paths, `gapMs` apart. */
function burst(n: number, gapMs: number, over: Partial<DetectionEvent> = {}): DetectionEvent[] {
  return Array.from({ length: n }, (_, i) => ev({ ts: T0 + i * gapMs, path: `/v1/guess-${i}`, ...over }));
}

describe("error_burst", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("error_burst");
    expect(rule.defaults).toMatchObject({ capacity: 5, leakMs: 10_000, highMultiplier: 3 });
    expect(rule.create().id).toBe("error_burst");
  });

  it("does not fire on exactly 5 distinct error paths", () => {
    expect(run(burst(5, 100))).toEqual([]);
  });

  it("fires medium on the 6th distinct error path, naming the threshold", () => {
    const f = run(burst(6, 100));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "error_burst", severity: "medium", credentialId: "cred-a", keyRef: "kw_a", srcIp: "203.0.113.9", ts: T0 + 500 });
    expect(f[0].summary).toBe("6 distinct paths answered 400/403/404/405 within 1 s for this credential (threshold: more than 5, leaking 1 per 10 s)");
    expect(f[0].sample.map((s) => s.path)).toEqual(["/v1/guess-0", "/v1/guess-1", "/v1/guess-2", "/v1/guess-3", "/v1/guess-4", "/v1/guess-5"]);
    expect(f[0].windowMs).toBe(600_000);
  });

  it("leaks: 6 distinct error paths spread over 60 s do not fire", () => {
    expect(run(burst(6, 12 * S))).toEqual([]);
  });

  it("counts each of 400, 403, 404 and 405, and nothing else", () => {
    const statuses = [400, 403, 404, 405, 404, 400];
    expect(run(statuses.map((status, i) => ev({ ts: T0 + i, path: `/p${i}`, status })))).toHaveLength(1);
    for (const status of [200, 401, 429, 500, 502]) expect(run(burst(10, 10, { status }))).toEqual([]);
  });

  it("counts distinct paths only: the same path 50 times is not a burst; a query string does not make a new path", () => {
    expect(run(Array.from({ length: 50 }, (_, i) => ev({ ts: T0 + i }))).length).toBe(0);
    expect(run(Array.from({ length: 10 }, (_, i) => ev({ ts: T0 + i, path: `/v1/x?page=${i}` })))).toEqual([]);
  });

  it("keeps credentials apart and ignores events without a credential", () => {
    const mixed = burst(6, 10).map((e, i) => ({ ...e, credentialId: i % 2 ? "cred-a" : "cred-b" }));
    expect(run(mixed)).toEqual([]);
    expect(run(burst(20, 10, { credentialId: null }))).toEqual([]);
  });

  it("fires once per burst, then escalates to high past 3 × the threshold (more than 15)", () => {
    const f = run(burst(16, 100));
    expect(f.map((x) => x.severity)).toEqual(["medium", "high"]);
    expect(f[1].ts).toBe(T0 + 1500);
    expect(f[1].summary).toContain("16 distinct paths");
    expect(f[1].summary).toContain("threshold: more than 15 for high");
    expect(run(burst(15, 100)).map((x) => x.severity)).toEqual(["medium"]);
  });

  it("fires again for a new burst after the repeat window, not within it", () => {
    const first = burst(6, 100);
    const again = burst(6, 100, { ts: 0 }).map((e, i) => ({ ...e, ts: T0 + 5 * 60 * S + i * 100, path: `/again-${i}` }));
    const late = burst(6, 100).map((e, i) => ({ ...e, ts: T0 + 11 * 60 * S + i * 100, path: `/late-${i}` }));
    expect(run([...first, ...again])).toHaveLength(1);
    expect(run([...first, ...late])).toHaveLength(2);
  });

  it("reads its thresholds from settings", () => {
    expect(run(burst(3, 100), ctx({ capacity: 2 }))).toHaveLength(1);
    expect(run(burst(7, 12 * S), ctx({ leakMs: 60 * S }))).toHaveLength(1); // level 7 - 72/60 = 5.8
    expect(run(burst(6, 12 * S), ctx({ leakMs: 60 * S }))).toEqual([]); // level 6 - 60/60 = 5
  });

  it("keeps memory bounded by its subject cap", () => {
    const r = createErrorBurst({ maxSubjects: 100 });
    const c = ctx();
    for (let i = 0; i < 10_000; i++) r.observe(ev({ ts: T0 + i, credentialId: `cred-${i}` }), c);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(100);
  });
});
