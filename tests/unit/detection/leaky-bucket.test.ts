import { describe, expect, it } from "vitest";
import { DistinctLeakyBucket, DistinctWindow, FiringGate, SlidingWindowCounter, SubjectStore, describeDuration, describeSpan } from "~/domain/detection/leaky-bucket";

const S = 1000;

describe("SubjectStore", () => {
  it("forgets subjects idle for longer than idleMs, lazily, as event time moves on", () => {
    const store = new SubjectStore<{ n: number }>({ idleMs: 60 * S });
    store.touch("a", 0, () => ({ n: 1 }));
    store.touch("b", 30 * S, () => ({ n: 2 }));
    expect(store.size()).toBe(2);
    store.touch("c", 61 * S, () => ({ n: 3 })); // a is now idle for 61 s
    expect(store.get("a")).toBeUndefined();
    expect(store.get("b")).toEqual({ n: 2 });
    expect(store.size()).toBe(2);
  });

  it("keeps a touched subject's state and moves it to the back", () => {
    const store = new SubjectStore<{ n: number }>({ idleMs: 60 * S, maxSubjects: 2 });
    store.touch("a", 0, () => ({ n: 1 })).n = 5;
    store.touch("b", 1, () => ({ n: 2 }));
    expect(store.touch("a", 2, () => ({ n: 9 })).n).toBe(5);
    store.touch("c", 3, () => ({ n: 3 })); // over the cap: b (least recently touched) goes
    expect(store.get("b")).toBeUndefined();
    expect(store.get("a")).toEqual({ n: 5 });
    expect(store.size()).toBe(2);
  });

  it("still forgets idle subjects when touches come out of order", () => {
    const store = new SubjectStore<number>({ idleMs: 60 * S });
    store.touch("x", 10 * S, () => 1);
    store.touch("a", 5 * S, () => 2); // 5 s behind the clock, queued after x
    store.touch("y", 64 * S, () => 3);
    store.touch("x", 64 * S, () => 1); // x moves to the back: its old entry at the front is stale
    store.touch("z", 66 * S, () => 4); // a is idle for 61 s, behind a front entry pushed at 10 s
    expect(store.get("a")).toBeUndefined();
    expect(store.get("x")).toBe(1);
    expect(store.size()).toBe(3);
  });

  it("never holds more than its cap", () => {
    const store = new SubjectStore<number>({ idleMs: 1e12, maxSubjects: 1000 });
    for (let i = 0; i < 50_000; i++) store.touch(`s${i}`, i, () => i);
    expect(store.size()).toBe(1000);
    expect(store.get("s49999")).toBe(49999);
    expect(store.get("s48999")).toBeUndefined();
  });
});

describe("DistinctLeakyBucket (CrowdSec leaky + distinct)", () => {
  const params = { capacity: 5, leakMs: 10 * S };

  it("does not overflow on exactly capacity distinct keys and overflows on one more", () => {
    const b = new DistinctLeakyBucket(params);
    for (let i = 1; i <= 5; i++) expect(b.pour("x", `/p${i}`, i).overflow).toBe(false);
    const r = b.pour("x", "/p6", 6);
    expect(r.overflow).toBe(true);
    expect(r.distinct).toBe(6);
    expect(r.startedAt).toBe(1);
  });

  it("ignores a key already in the bucket", () => {
    const b = new DistinctLeakyBucket(params);
    for (let i = 0; i < 50; i++) b.pour("x", "/same", i);
    const r = b.pour("x", "/same", 60);
    expect(r.added).toBe(false);
    expect(r.level).toBeLessThanOrEqual(1);
    expect(r.overflow).toBe(false);
  });

  it("leaks one unit every leakMs: 6 keys spread over 60 s never overflow", () => {
    const b = new DistinctLeakyBucket(params);
    for (let i = 0; i < 6; i++) expect(b.pour("x", `/p${i}`, i * 12 * S).overflow).toBe(false);
  });

  it("overflows when the pouring outpaces the leak (6 keys in 9 s)", () => {
    const b = new DistinctLeakyBucket(params);
    let last = b.pour("x", "/p0", 0);
    for (let i = 1; i < 6; i++) last = b.pour("x", `/p${i}`, i * 1800);
    expect(last.level).toBeCloseTo(6 - 0.9, 5);
    expect(last.overflow).toBe(true);
  });

  it("keeps subjects apart", () => {
    const b = new DistinctLeakyBucket(params);
    for (let i = 0; i < 3; i++) b.pour("x", `/p${i}`, i);
    for (let i = 0; i < 3; i++) b.pour("y", `/p${i}`, i);
    expect(b.pour("x", "/p3", 4).level).toBeCloseTo(4, 2);
    expect(b.size()).toBe(2);
  });

  it("forgets the distinct keys once the bucket has drained, so a key counts again", () => {
    const b = new DistinctLeakyBucket(params);
    b.pour("x", "/p", 0);
    expect(b.pour("x", "/p", 5 * S).added).toBe(false);
    expect(b.pour("x", "/p", 20 * S).added).toBe(true); // drained at 10 s
  });

  it("returns the payloads of the keys in the bucket, oldest first", () => {
    const b = new DistinctLeakyBucket<string>(params);
    b.pour("x", "/a", 0, "A");
    b.pour("x", "/b", 1, "B");
    b.pour("x", "/a", 2, "A2");
    expect(b.payloadsOf("x")).toEqual(["A", "B"]);
    expect(b.payloadsOf("nobody")).toEqual([]);
  });

  it("does not leak (nor break) with a leak interval of 0", () => {
    const b = new DistinctLeakyBucket({ capacity: 2, leakMs: 0 });
    b.pour("x", "/a", 0);
    b.pour("x", "/b", 1e9);
    expect(b.pour("x", "/c", 2e9)).toMatchObject({ level: 3, overflow: true });
  });

  it("bounds the distinct keys remembered per bucket", () => {
    const b = new DistinctLeakyBucket({ ...params, maxKeys: 10 });
    for (let i = 0; i < 1000; i++) b.pour("x", `/p${i}`, i);
    expect(b.payloadsOf("x")).toHaveLength(10);
  });
});

describe("SlidingWindowCounter", () => {
  it("counts requests and distinct keys within the window only", () => {
    const w = new SlidingWindowCounter(60 * S, { maxEvents: 100, maxKeys: 100 });
    w.add("ip", "/a", 0);
    w.add("ip", "/b", 10 * S);
    expect(w.add("ip", "/a", 20 * S)).toEqual({ count: 3, distinct: 2, since: 0 });
    expect(w.add("ip", "/c", 60 * S)).toEqual({ count: 3, distinct: 3, since: 10 * S }); // the event at 0 left
    expect(w.add("ip", "/c", 200 * S)).toEqual({ count: 1, distinct: 1, since: 200 * S });
  });

  it("with distinctAbove, counts distinct keys only past that count, built from every event of the window", () => {
    const lazy = new SlidingWindowCounter(60 * S, { maxEvents: 11, maxKeys: 100, distinctAbove: 5 });
    const eager = new SlidingWindowCounter(60 * S, { maxEvents: 11, maxKeys: 100 });
    const keys = ["/a", "/b", "/a", "/c", "/d", "/a", "/e", "/b", "/f"];
    keys.forEach((k, i) => {
      const l = { ...lazy.add("ip", k, i * S) };
      const e = { ...eager.add("ip", k, i * S) };
      expect(l.count).toBe(e.count);
      expect(l.distinct).toBe(i + 1 > 5 ? e.distinct : -1);
    });
    // Past the window, counts and distinct keys agree with the counter that tracked them all along.
    expect({ ...lazy.add("ip", "/g", 62 * S) }).toEqual({ ...eager.add("ip", "/g", 62 * S) });
  });

  it("caps the events kept per subject (counts saturate above the cap)", () => {
    const w = new SlidingWindowCounter(60 * S, { maxEvents: 10, maxKeys: 5 });
    let r = { count: 0, distinct: 0, since: 0 };
    for (let i = 0; i < 5000; i++) r = w.add("ip", `/p${i}`, i);
    expect(r.count).toBe(10);
    expect(r.distinct).toBe(5);
  });
});

describe("DistinctWindow", () => {
  it("reports new keys and drops keys not seen within the window", () => {
    const d = new DistinctWindow(10 * S, 100);
    expect(d.add("a", 0)).toBe(true);
    expect(d.add("a", 5 * S)).toBe(false);
    expect(d.add("b", 6 * S)).toBe(true);
    d.evict(15 * S + 1);
    expect(d.keys()).toEqual(["b"]);
    expect(d.oldest()).toBe(6 * S);
  });

  it("keeps keys in last-seen order: a repeat of the last key stays at the back, an older key moves there", () => {
    const d = new DistinctWindow(10 * S, 100);
    d.add("a", 0);
    d.add("b", 1 * S);
    expect(d.add("b", 2 * S)).toBe(false); // the last key again: stays last, its time moves on
    expect(d.keys()).toEqual(["a", "b"]);
    expect(d.add("a", 3 * S)).toBe(false);
    expect(d.keys()).toEqual(["b", "a"]);
    expect(d.oldest()).toBe(2 * S);
    d.evict(12 * S); // b (last seen at 2 s) is out, a (3 s) is in
    expect(d.keys()).toEqual(["a"]);
    expect(d.add("b", 12 * S)).toBe(true);
  });

  it("caps the keys it holds, forgetting the least recently seen", () => {
    const d = new DistinctWindow(10 * S, 2);
    d.add("a", 0);
    d.add("b", 1);
    d.add("a", 2);
    d.add("c", 3);
    expect(d.keys()).toEqual(["a", "c"]);
    expect(d.size()).toBe(2);
  });
});

describe("FiringGate", () => {
  it("allows the first firing, then once per window, sooner on escalation", () => {
    const g = new FiringGate(60 * S);
    expect(g.allow("x", "medium", 0)).toBe(true);
    expect(g.allow("x", "medium", 30 * S)).toBe(false);
    expect(g.allow("x", "low", 31 * S)).toBe(false);
    expect(g.allow("x", "high", 32 * S)).toBe(true);
    expect(g.allow("x", "high", 40 * S)).toBe(false);
    expect(g.allow("x", "high", 92 * S)).toBe(true);
    expect(g.allow("y", "low", 92 * S)).toBe(true);
  });
});

describe("durations in summaries", () => {
  it("names windows and spans for people", () => {
    expect(describeDuration(10 * S)).toBe("10 s");
    expect(describeDuration(1_800_000)).toBe("30 min");
    expect(describeDuration(3_600_000)).toBe("1 h");
    expect(describeDuration(864_000_000)).toBe("10 days");
    expect(describeSpan(42_400)).toBe("42 s");
    expect(describeSpan(150_000)).toBe("3 min");
  });
});
