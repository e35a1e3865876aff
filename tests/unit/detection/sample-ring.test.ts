import { describe, expect, it } from "vitest";
import { Interner, SampleRing } from "~/domain/detection/sample-ring";
import type { DetectionEvent } from "~/domain/detection/types";

function ev(ts: number, over: Partial<DetectionEvent> = {}): DetectionEvent {
  return { ts, keyRef: "kw_a", credentialId: "cred-a", srcIp: "203.0.113.9", userAgent: "model-sdk-python/1.4.2", method: "POST", path: `/v1/p${ts}`, endpoint: null, model: null, status: 404, ...over };
}
const sample = (e: DetectionEvent) => ({ ts: e.ts, method: e.method, path: e.path, status: e.status, srcIp: e.srcIp, userAgent: e.userAgent });

describe("SampleRing", () => {
  it("keeps the last `capacity` samples, oldest first, as the events' samples", () => {
    const ring = new SampleRing(3);
    const strings = new Interner();
    const events = [1, 2, 3, 4, 5].map((t) => ev(t, { status: 400 + t }));
    for (const e of events) ring.push(e, strings);
    expect(ring.size()).toBe(3);
    expect(ring.oldest()).toBe(3);
    expect(ring.toArray()).toEqual(events.slice(2).map(sample));
  });

  it("drops samples at or before a cutoff, then grows again in order", () => {
    const ring = new SampleRing(4);
    const strings = new Interner();
    for (const t of [1, 2, 3, 4, 5, 6]) ring.push(ev(t), strings);
    ring.dropUntil(4);
    expect(ring.toArray().map((s) => s.ts)).toEqual([5, 6]);
    for (const t of [7, 8, 9]) ring.push(ev(t), strings);
    expect(ring.toArray().map((s) => s.ts)).toEqual([6, 7, 8, 9]);
    ring.dropUntil(100);
    expect(ring.size()).toBe(0);
    expect(ring.oldest()).toBeNull();
    ring.push(ev(101), strings);
    expect(ring.toArray().map((s) => s.ts)).toEqual([101]);
  });

  it("grows correctly when drops leave room before the ring is full", () => {
    const ring = new SampleRing(5);
    const strings = new Interner();
    for (const t of [1, 2, 3]) ring.push(ev(t), strings);
    ring.dropUntil(1); // start moves on while the ring is still growing
    for (const t of [4, 5, 6, 7]) ring.push(ev(t), strings);
    expect(ring.toArray().map((s) => s.ts)).toEqual([3, 4, 5, 6, 7]);
    ring.push(ev(8), strings);
    expect(ring.toArray().map((s) => s.ts)).toEqual([4, 5, 6, 7, 8]);
  });

  it("returns copies (a finding's sample does not change when the ring moves on)", () => {
    const ring = new SampleRing(2);
    const strings = new Interner();
    ring.push(ev(1), strings);
    const first = ring.toArray();
    ring.push(ev(2), strings);
    ring.push(ev(3), strings);
    expect(first.map((s) => s.ts)).toEqual([1]);
  });

  it("shares one string per distinct value instead of holding each event's copy", () => {
    const strings = new Interner();
    const a = JSON.parse('"198.51.100.23"') as string;
    const b = JSON.parse('"198.51.100.23"') as string;
    expect(strings.intern(a)).toBe(a);
    expect(strings.intern(b)).toBe(a);
    expect(strings.intern(null)).toBeNull();
  });
});
