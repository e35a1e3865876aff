import { describe, expect, it } from "vitest";
import { createPatternGuessing, rule } from "~/domain/detection/pattern-guessing";
import type { DetectionEvent, Finding, RuleContext } from "~/domain/detection/types";

const T0 = Date.UTC(2026, 3, 7, 12);
const MIN = 60_000;
function ev(over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts: T0, keyRef: "kw_contractor", credentialId: "cred-contractor", srcIp: "198.51.100.23", userAgent: "python-httpx/0.27", method: "POST", path: "/v1/models/atlas-2/messages", endpoint: "messages", model: "atlas-2", status: 200, ...over };
}
function ctx(settings: Record<string, number> = {}): RuleContext {
  return { catalog: [], credential: () => null, baseline: () => null, isRegisteredKey: () => true, settings: { ...rule.defaults, ...settings } };
}
function run(events: DetectionEvent[], c = ctx()): Finding[] {
  const r = rule.create();
  return events.flatMap((e) => r.observe(e, c));
}
const at = (min: number, path: string, status: number, over: Partial<DetectionEvent> = {}) => ev({ ts: T0 + min * MIN, path, status, endpoint: null, model: null, ...over });

describe("pattern_guessing", () => {
  it("tells a segment with an encoded slash from two segments (/q/a%2Fb is two segments, /q/a/b three)", () => {
    // Two variants of /q/<one segment>, and one path of another shape: no group has 3 variants.
    expect(run([at(1, "/q/a%2Fb", 404), at(2, "/q/a/b", 404), at(3, "/q/a%2Fc", 404)])).toEqual([]);
    // The same shapes in the other order.
    expect(run([at(1, "/q/a/b", 404), at(2, "/q/a%2Fb", 404), at(3, "/q/a/c", 404)])).toEqual([]);
  });

  it("exports its id, defaults and a factory", () => {
    expect(rule.id).toBe("pattern_guessing");
    expect(rule.defaults).toMatchObject({ variants: 3, failures: 2, windowMs: 3_600_000 });
  });

  it("catches the 2026 incident: a contractor's valid key guessing 5 model URLs over 50 minutes", () => {
    // Legitimate traffic around it, with the same valid key, all answered 200.
    const legit = Array.from({ length: 40 }, (_, i) => ev({ ts: T0 + i * 75_000 }));
    const guesses = [
      at(3, "/v1/models/mythos-preview/messages", 404),
      at(15, "/v1/models/mythos-prev/messages", 404),
      at(27, "/v1/models/mythos/messages", 404),
      at(40, "/v1/models/mythos-1/messages", 403),
      at(53, "/v1/models/mythos-internal/messages", 404),
    ];
    const events = [...legit, ...guesses].sort((a, b) => a.ts - b.ts);
    const f = run(events);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ rule: "pattern_guessing", severity: "high", credentialId: "cred-contractor", keyRef: "kw_contractor", srcIp: "198.51.100.23", ts: T0 + 27 * MIN, windowMs: 3_600_000 });
    expect(f[0].summary).toBe(
      "3 variants of the path shape /v/models/mythos/messages requested with this key within 24 min, 3 answered non-2xx (threshold: at least 3 variants with at least 2 non-2xx in 1 h)",
    );
    expect(f[0].sample.map((s) => s.path)).toEqual(["/v1/models/mythos-preview/messages", "/v1/models/mythos-prev/messages", "/v1/models/mythos/messages"]);
  });

  it("shows the guesses as evidence even when the key's everyday traffic shares their shape", () => {
    // A valid key calling atlas-2 every minute; the guesses (atlas-3, atlas-4) are variants of the same shape.
    const legit = Array.from({ length: 50 }, (_, i) => ev({ ts: T0 + i * MIN, srcIp: "198.51.100.23", userAgent: "python-httpx/0.27" }));
    const guesses = [at(10.5, "/v1/models/atlas-3/messages", 404, { srcIp: "203.0.113.7", userAgent: "curl/8.5.0" }), at(20.5, "/v1/models/atlas-4/messages", 404, { srcIp: "203.0.113.7", userAgent: "curl/8.5.0" })];
    const f = run([...legit, ...guesses].sort((a, b) => a.ts - b.ts)).filter((x) => x.credentialId === "cred-contractor");
    expect(f).toHaveLength(1);
    expect(f[0].summary).toMatch(/^3 variants of the path shape \/v\/models\/atlas-n\/messages requested with this key within 10 min, 2 answered non-2xx/);
    // Each variant's latest request, oldest first: the two guesses and the legitimate path's last call,
    // where the group's last 10 requests would have been eight legitimate calls and the two guesses.
    expect(f[0].sample).toEqual([
      { ts: T0 + 10.5 * MIN, method: "POST", path: "/v1/models/atlas-3/messages", status: 404, srcIp: "203.0.113.7", userAgent: "curl/8.5.0" },
      { ts: T0 + 20 * MIN, method: "POST", path: "/v1/models/atlas-2/messages", status: 200, srcIp: "198.51.100.23", userAgent: "python-httpx/0.27" },
      { ts: T0 + 20.5 * MIN, method: "POST", path: "/v1/models/atlas-4/messages", status: 404, srcIp: "203.0.113.7", userAgent: "curl/8.5.0" },
    ]);
  });

  it("fires on the third variant with two non-2xx, not on two variants", () => {
    expect(run([at(0, "/v1/models/orion-1/messages", 404), at(1, "/v1/models/orion-2/messages", 404)])).toEqual([]);
    const f = run([at(0, "/v1/models/orion-1/messages", 404), at(1, "/v1/models/orion-2/messages", 404), at(2, "/v1/models/orion-3/messages", 200)]);
    expect(f).toHaveLength(1);
    expect(f[0].summary).toContain("/v/models/orion-n/messages");
  });

  it("does not fire with only one non-2xx answer among the variants", () => {
    expect(run([at(0, "/v1/models/orion-1/messages", 404), at(1, "/v1/models/orion-2/messages", 200), at(2, "/v1/models/orion-3/messages", 200)])).toEqual([]);
  });

  it("never fires on a client successfully calling several models of one endpoint", () => {
    const models = ["atlas-2", "atlas-2-mini", "atlas-3", "atlas-3-mini"];
    expect(run(models.map((m, i) => at(i, `/v1/models/${m}/messages`, 200)))).toEqual([]);
  });

  it("does not count the same path retried as variants", () => {
    expect(run([at(0, "/v1/models/orion/messages", 404), at(1, "/v1/models/orion/messages", 404), at(2, "/v1/models/orion/messages", 404), at(3, "/v1/models/orion-2/messages", 404)])).toEqual([]);
  });

  it("forgets variants older than 1 h (window edge)", () => {
    const a = at(0, "/v1/models/orion-1/messages", 404);
    const b = at(30, "/v1/models/orion-2/messages", 404);
    expect(run([a, b, at(60, "/v1/models/orion-3/messages", 404)])).toEqual([]); // a is exactly 1 h old: out
    expect(run([a, b, { ...at(60, "/v1/models/orion-3/messages", 404), ts: T0 + 60 * MIN - 1 }])).toHaveLength(1);
  });

  it("keeps unrelated shapes apart", () => {
    expect(run([at(0, "/v1/models/orion-1/messages", 404), at(1, "/v1/batches/abc", 404), at(2, "/v1/files/xyz", 404)])).toEqual([]);
  });

  it("tracks a key reference without a registered credential", () => {
    const f = run([0, 1, 2].map((i) => at(i, `/v2.${i}/models`, 404, { credentialId: null, keyRef: "kw_unknown" })));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ credentialId: null, keyRef: "kw_unknown" });
  });

  it("tracks a source IP across keys (or without one), and only once per key otherwise", () => {
    const spread = [0, 1, 2].map((i) => at(i, `/v1/models/orion-${i}/messages`, 404, { credentialId: `cred-${i}`, keyRef: `kw_${i}` }));
    const f = run(spread);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ srcIp: "198.51.100.23", credentialId: null, keyRef: null });
    expect(f[0].summary).toContain("from 198.51.100.23 with 3 different keys");
    const anonymous = run([0, 1, 2].map((i) => at(i, `/v1/models/orion-${i}/messages`, 404, { credentialId: null, keyRef: null })));
    expect(anonymous).toHaveLength(1);
    expect(anonymous[0].summary).toContain("from 198.51.100.23");
  });

  it("reports guesses made with one key once, as that key's (the per-IP view stays quiet)", () => {
    const f = run([0, 1, 2].map((i) => at(i, `/v1/models/orion-${i}/messages`, 404)));
    expect(f).toHaveLength(1);
    expect(f[0].summary).toContain("with this key");
  });

  it("fires at most once per hour for the same key", () => {
    const f = run(Array.from({ length: 20 }, (_, i) => at(i, `/v1/models/orion-${i}/messages`, 404)));
    expect(f).toHaveLength(1);
  });

  it("reads its thresholds from settings", () => {
    const two = [at(0, "/v1/models/orion-1/messages", 404), at(1, "/v1/models/orion-2/messages", 200)];
    expect(run(two, ctx({ variants: 2, failures: 1 }))).toHaveLength(1);
  });

  it("keeps memory bounded by its subject cap", () => {
    const r = createPatternGuessing({ maxSubjects: 50 });
    const c = ctx();
    for (let i = 0; i < 5000; i++) r.observe(at(0, `/p/${i}`, 404, { credentialId: `c${i}`, srcIp: `10.0.${i >> 8}.${i & 255}` }), c);
    expect(r.trackedSubjects()).toBeLessThanOrEqual(50);
  });
});
