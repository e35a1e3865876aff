import { describe, expect, it } from "vitest";
import { createPathEnumeration, rule } from "~/domain/detection/path-enumeration";
import type { DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const MIN = 60_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "Go-http-client/1.1", method: "GET", path: "/v1/x", endpoint: null, model: null, status: 404, ...over };
}
function ctx(settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
const paths = (n: number, gapMs = MIN) => Array.from({ length: n }, (_, i) => ev({ ts: T0 + i * gapMs, path: `/unknown/${i}` }));

describe("path_enumeration", () => {
  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("path_enumeration");
    expect(rule.defaults).toMatchObject({ distinct: 20, windowMs: 3_600_000 });
  });

  it("does not fire on 20 distinct unknown paths in 1 h, fires medium on 21", () => {
    expect(run(paths(20))).toEqual([]);
    const f = run(paths(21));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "path_enumeration", severity: "medium", credentialId: "cred-a", ts: T0 + 20 * MIN, windowMs: 3_600_000 });
    expect(f[0].summary).toBe("21 distinct endpoints or unknown paths called within 20 min with this credential (threshold: more than 20 in 1 h)");
    expect(f[0].sample).toHaveLength(10);
  });

  it("counts catalog endpoints by name, not by concrete path", () => {
    const sameEndpoint = Array.from({ length: 40 }, (_, i) => ev({ ts: T0 + i, path: `/v1/models/m-${i}/messages`, endpoint: "messages", status: 200 }));
    expect(run(sameEndpoint)).toEqual([]);
    const endpoints = Array.from({ length: 21 }, (_, i) => ev({ ts: T0 + i, path: `/v1/e${i}`, endpoint: `endpoint-${i}`, status: 200 }));
    expect(run(endpoints)).toHaveLength(1);
  });

  it("mixes endpoints and unknown paths", () => {
    const mixed = [...paths(11), ...Array.from({ length: 10 }, (_, i) => ev({ ts: T0 + 30 * MIN + i, path: `/v1/e${i}`, endpoint: `endpoint-${i}` }))];
    expect(run(mixed)).toHaveLength(1);
  });

  it("ignores the query string of an unknown path", () => {
    expect(run(Array.from({ length: 30 }, (_, i) => ev({ ts: T0 + i, path: `/unknown?id=${i}` })))).toEqual([]);
  });

  it("forgets paths older than 1 h: 21 distinct paths 3 min apart do not fire", () => {
    expect(run(paths(21, 3 * MIN))).toEqual([]);
    expect(run(paths(21, 2 * MIN))).toHaveLength(1); // 40 min
  });

  it("keeps credentials apart, ignores events without one, and fires once per hour", () => {
    expect(run(paths(30).map((e, i) => ({ ...e, credentialId: `cred-${i % 2}` })))).toEqual([]);
    expect(run(paths(30).map((e) => ({ ...e, credentialId: null })))).toEqual([]);
    expect(run(paths(45))).toHaveLength(1);
  });

  it("reads its threshold from settings and keeps memory bounded", () => {
    expect(run(paths(6), ctx({ distinct: 5 }))).toHaveLength(1);
    const r = createPathEnumeration({ maxSubjects: 10 });
    for (let i = 0; i < 1000; i++) r.observe(ev({ credentialId: `c${i}` }), ctx());
    expect(r.trackedSubjects()).toBeLessThanOrEqual(10);
  });
});
